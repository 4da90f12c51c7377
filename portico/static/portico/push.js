/* "Enable phone notifications" on the notification settings page: register the service worker,
   ask permission, subscribe with the site's applicationServerKey and hand the subscription to
   Portico. The button carries data-key (the key), data-url (where to POST) and data-csrf. */
(function () {
  const button = document.getElementById("push-enable");
  const status = document.getElementById("push-status");
  if (!button || !status) return;
  const say = (text) => { status.textContent = text; };
  const supported = "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  if (!supported) {
    button.disabled = true;
    say(button.dataset.unsupported);
    return;
  }
  if (!button.dataset.key) {
    button.disabled = true;
    say(button.dataset.unconfigured);
    return;
  }
  const keyBytes = (b64) => {
    const padded = (b64 + "===".slice((b64.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  };
  const sendToServer = (subscription) =>
    fetch(button.dataset.url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": button.dataset.csrf },
      body: JSON.stringify(subscription.toJSON()),
    }).then((r) => { if (!r.ok) throw new Error("HTTP " + r.status); });

  navigator.serviceWorker.getRegistration("/").then((reg) => reg && reg.pushManager.getSubscription()).then((sub) => {
    if (sub && Notification.permission === "granted") say(button.dataset.enabled);
  });

  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const permission = await Notification.requestPermission();
      if (permission !== "granted") { say(button.dataset.denied); return; }
      const registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
      await navigator.serviceWorker.ready;
      let subscription = await registration.pushManager.getSubscription();
      if (!subscription) {
        subscription = await registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(button.dataset.key),
        });
      }
      await sendToServer(subscription);
      say(button.dataset.enabled);
    } catch (e) {
      say(button.dataset.failed + " (" + e.message + ")");
    } finally {
      button.disabled = false;
    }
  });
})();
