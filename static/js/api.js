// Calls to the server's HTTP API, JSON in and out: the facilitator's pages and the player's.
import { t } from "./i18n.js";

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail || `HTTP ${status}`);
    this.status = status;
    this.detail = detail;
  }
}

/**
 * Call the API; JSON in and out. Throws ApiError with the server's `detail`.
 * With `contentType`, `body` (a string or Blob) is sent as it is instead of as JSON.
 */
export async function api(path, { method = "GET", body, token, contentType } = {}) {
  const headers = { Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = contentType || "application/json";
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined || contentType ? body : JSON.stringify(body),
      cache: "no-store",
    });
  } catch {
    throw new ApiError(0, t("The server cannot be reached. Check the network."));
  }
  if (response.status === 204) return null;
  let data = null;
  const text = await response.text();
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  if (!response.ok) {
    let detail = data && data.detail;
    if (Array.isArray(detail)) detail = detail.map((d) => d.msg || String(d)).join("; ");
    throw new ApiError(response.status, typeof detail === "string" ? detail : "");
  }
  return data;
}
