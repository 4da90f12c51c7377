/* Portico's service worker (served at /sw.js, scope /): shows staff push notifications and
   opens the page a notification is about when it is tapped. */
self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (e) {
    data = { title: "Portico", body: event.data ? event.data.text() : "" };
  }
  const url = data.url || "/";
  event.waitUntil(
    self.registration.showNotification(data.title || "Portico", {
      body: data.body || "",
      icon: "/static/portico/icons/icon-192.png",
      badge: "/static/portico/icons/icon-192.png",
      data: { url: url },
      tag: url,
    })
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL((event.notification.data && event.notification.data.url) || "/", self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      for (const win of windows) {
        if (win.url === target && "focus" in win) return win.focus();
      }
      for (const win of windows) {
        if ("navigate" in win && "focus" in win) return win.navigate(target).then((w) => (w || win).focus());
      }
      return self.clients.openWindow(target);
    })
  );
});
