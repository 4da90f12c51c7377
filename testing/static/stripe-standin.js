// A stand-in for Stripe.js v3, for browser tests only (never shipped: portico/static has no copy).
// It implements just what Portico calls: Stripe(pk), .elements({clientSecret}),
// elements.create("payment").mount(selector) and stripe.confirmSetup({elements, confirmParams}).
// The fields are drawn in an iframe of their own (as Stripe's are) and sent only to the fake
// Stripe API that served this script; then the browser goes to return_url as Stripe.js does.
(function () {
  "use strict";
  var api = new URL(document.currentScript.src).origin;

  var FIELDS =
    "<!doctype html><html><body style='font:16px sans-serif;margin:0'>" +
    "<div role='radiogroup'>" +
    "<label><input type='radio' name='kind' value='card' id='kind-card' checked> Card</label> " +
    "<label><input type='radio' name='kind' value='us_bank_account' id='kind-bank'> US bank account</label></div>" +
    "<div id='card'><p><label>Card number<br><input id='card-number' inputmode='numeric' autocomplete='cc-number'></label></p>" +
    "<p><label>Expiry (MM/YY)<br><input id='card-expiry' autocomplete='cc-exp'></label></p>" +
    "<p><label>CVC<br><input id='card-cvc' inputmode='numeric' autocomplete='cc-csc'></label></p></div>" +
    "<div id='bank' hidden><p><label>Account holder<br><input id='bank-name'></label></p>" +
    "<p><label>Routing number<br><input id='bank-routing' inputmode='numeric'></label></p>" +
    "<p><label>Account number<br><input id='bank-account' inputmode='numeric'></label></p></div>" +
    "<script>document.querySelectorAll('[name=kind]').forEach(function (r) { r.addEventListener('change', function () {" +
    "var bank = document.getElementById('kind-bank').checked;" +
    "document.getElementById('card').hidden = bank; document.getElementById('bank').hidden = !bank; }); });</script>" +
    "</body></html>";

  function PaymentElement() {
    this.frame = null;
  }
  PaymentElement.prototype.mount = function (selector) {
    var node = typeof selector === "string" ? document.querySelector(selector) : selector;
    var frame = document.createElement("iframe");
    frame.title = "Secure payment input frame";
    frame.name = "stripe-standin-payment";
    frame.style.cssText = "width:100%;height:22rem;border:0";
    frame.srcdoc = FIELDS;
    node.appendChild(frame);
    this.frame = frame;
  };
  PaymentElement.prototype.values = function () {
    var d = this.frame.contentDocument;
    var get = function (id) { return d.getElementById(id).value.trim(); };
    if (d.getElementById("kind-bank").checked) {
      return {
        "payment_method_data[type]": "us_bank_account",
        "payment_method_data[billing_details][name]": get("bank-name"),
        "payment_method_data[us_bank_account][routing_number]": get("bank-routing"),
        "payment_method_data[us_bank_account][account_number]": get("bank-account"),
      };
    }
    return {
      "payment_method_data[type]": "card",
      "payment_method_data[card][number]": get("card-number").replace(/\s+/g, ""),
      "payment_method_data[card][exp]": get("card-expiry"),
      "payment_method_data[card][cvc]": get("card-cvc"),
    };
  };

  function Elements(clientSecret) {
    this.clientSecret = clientSecret;
    this.element = null;
  }
  Elements.prototype.create = function (kind) {
    if (kind !== "payment") throw new Error("stand-in Stripe.js: only the payment element");
    this.element = new PaymentElement();
    return this.element;
  };

  function StripeStandIn(publishableKey) {
    this.key = publishableKey;
  }
  StripeStandIn.prototype.elements = function (options) {
    return new Elements(options.clientSecret);
  };
  StripeStandIn.prototype.confirmSetup = function (options) {
    var elements = options.elements;
    var secret = elements.clientSecret;
    var seti = secret.split("_secret_")[0];
    var body = new URLSearchParams(Object.assign({ client_secret: secret }, elements.element.values()));
    return fetch(api + "/v1/setup_intents/" + seti + "/confirm", {
      method: "POST",
      headers: { Authorization: "Bearer " + this.key, "Content-Type": "application/x-www-form-urlencoded" },
      body: body,
    })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (answer.error) return { error: answer.error };
        var back = new URL(options.confirmParams.return_url);
        back.searchParams.set("setup_intent", answer.id);
        back.searchParams.set("setup_intent_client_secret", answer.client_secret);
        back.searchParams.set("redirect_status", answer.status === "succeeded" ? "succeeded" : "pending");
        window.location.assign(back.toString());
        return new Promise(function () {}); // the page is leaving, as with Stripe.js
      });
  };

  window.Stripe = function (publishableKey) { return new StripeStandIn(publishableKey); };
})();
