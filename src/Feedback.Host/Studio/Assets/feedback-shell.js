// The admin shell's page behaviour around the Studio elements.
(function () {
    "use strict";
    const base = document.body.dataset.base || "";
    const studio = base + "/studio";

    // The Studio moves the address bar itself (Run opens the new instance at workflows/instances/{id}/view) without
    // rendering anything for it; load the shell's page for that address instead, replacing the entry it pushed.
    const studioRoutes = [/\/workflows\/instances\/[^/?#]+\/view$/, /\/workflows\/definitions\/[^/?#]+\/edit$/];
    function follow(url) {
        if (url === undefined || url === null) return;
        const target = new URL(url, location.href);
        if (target.origin !== location.origin) return;
        const path = target.pathname.startsWith(studio + "/") ? target.pathname.substring(studio.length) : target.pathname;
        const match = studioRoutes.map(r => r.exec(path)).find(m => m);
        if (match && studio + match[0] !== currentPath) location.replace(studio + match[0]);
    }
    const currentPath = location.pathname;
    for (const name of ["pushState", "replaceState"]) {
        const original = history[name].bind(history);
        history[name] = function (state, unused, url) {
            original(state, unused, url);
            follow(url);
        };
    }

    // Element callbacks: open what the user picked in the shell's own pages.
    const callbacks = {
        "elsa-workflow-instance-list": { viewWorkflowInstance: id => studio + "/workflows/instances/" + encodeURIComponent(id) + "/view" },
        "elsa-workflow-instance-viewer": { editWorkflowDefinition: id => studio + "/workflows/definitions/" + encodeURIComponent(id) + "/edit" },
    };
    for (const [tag, handlers] of Object.entries(callbacks)) {
        const element = document.querySelector(tag);
        if (!element) continue;
        // Only the defined element turns properties into component parameters.
        customElements.whenDefined(tag).then(() => {
            for (const [property, address] of Object.entries(handlers))
                element[property] = id => location.assign(address(id));
        });
    }

    // The Studio cannot renew the bearer token; shortly before it expires, sign in again and come back here.
    const expiresAt = Number(document.body.dataset.expiresAt || 0);
    if (expiresAt > 0) {
        const signIn = () => location.assign(studio + "/signin?returnUrl=" + encodeURIComponent(location.pathname.substring(base.length) + location.search));
        const delay = Math.max(0, expiresAt - Date.now() - 60 * 1000);
        if (delay < 2147483647) setTimeout(signIn, delay); // Longer delays would overflow and fire at once.
    }
})();
