// Banners at the top of a live page: the connection state and the facilitator's announcements.
import { t } from "./i18n.js";
import { h } from "./ui-dom.js";

/**
 * Show "Reconnecting…" while the connection is down (after a short grace period, so a
 * quick redial does not flash), and announcements as dismissible banners.
 */
export function mountBanners(conn, region) {
  const link = h(
    "div",
    { class: "banner", role: "status", hidden: true },
    h("span", { class: "banner-text", text: t("Connection lost. Reconnecting…") }),
  );
  region.appendChild(link);
  let grace = null;
  conn.onStatus((status) => {
    clearTimeout(grace);
    if (status === "reconnecting") {
      grace = setTimeout(() => {
        link.hidden = false;
      }, 800);
    } else {
      link.hidden = true;
    }
  });
  conn.onAnnouncement((text) => {
    const close = h("button", {
      type: "button",
      class: "btn btn-small btn-quiet",
      "aria-label": t("Dismiss message"),
      text: "✕",
    });
    const banner = h(
      "div",
      { class: "banner banner-announce", role: "alert" },
      h("span", { class: "banner-text" }, h("strong", { text: t("From the facilitator:") }), " ", text),
      close,
    );
    close.addEventListener("click", () => banner.remove());
    region.appendChild(banner);
    // Keep at most three on screen.
    const all = region.querySelectorAll(".banner-announce");
    if (all.length > 3) all[0].remove();
  });
}
