// The JSON API client. Errors carry the server's message and, for form
// input, the name of the field at fault.

export class ApiError extends Error {
  constructor(status, body) {
    super(body && body.error ? body.error : `HTTP ${status}`);
    this.status = status;
    this.field = body && body.field;
    this.code = body && body.code;
  }
}

export async function api(path, { method = 'GET', body } = {}) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let resp;
  try {
    resp = await fetch('api' + path, init);
  } catch (e) {
    throw new ApiError(0, { error: 'The console server cannot be reached: ' + e.message });
  }
  let data = null;
  try { data = await resp.json(); } catch { /* an empty or non-JSON body */ }
  if (!resp.ok) throw new ApiError(resp.status, data);
  return data;
}

export const enc = encodeURIComponent;
