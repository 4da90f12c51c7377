// The portal's payment method page: Stripe's Payment Element (Stripe.js) with the SetupIntent's
// client secret. The card or bank fields live in Stripe's element and are sent to Stripe only;
// Stripe then sends the browser to the return page, which reads the result back from Stripe.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("stripe-config").textContent);
  var stripe = window.Stripe(config.publishableKey);
  var elements = stripe.elements({ clientSecret: config.clientSecret });
  elements.create("payment").mount("#payment-element");
  var button = document.getElementById("save-method");
  var problem = document.getElementById("payment-error");
  button.addEventListener("click", function () {
    button.disabled = true; // one tap, one confirmation
    problem.hidden = true;
    stripe.confirmSetup({ elements: elements, confirmParams: { return_url: config.returnUrl } }).then(function (result) {
      if (result && result.error) {
        problem.textContent = result.error.message;
        problem.hidden = false;
        button.disabled = false;
      }
    });
  });
})();
