/* global fetch, XMLHttpRequest, FormData */
/**
 * Talking to the page's own server. The access token travels only in its HttpOnly cookie; no
 * credential of the API is ever asked for or seen here.
 */

/** An answer that was not a success, with the server's message. */
export class ApiError extends Error {
  constructor(message, status, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

/** The message of an answer's body, or a plain one for its status. */
function messageOf(body, status) {
  if (body && typeof body.error === 'string') return body.error;
  if (status === 401) return 'The page lost its access: open it again with the link the server printed.';
  return `The server answered ${status}.`;
}

/** GET (or another method with a JSON body) and the JSON answer. */
export async function api(path, { method = 'GET', body } = {}) {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = { error: text };
  }
  if (!response.ok) throw new ApiError(messageOf(parsed, response.status), response.status, parsed);
  return parsed;
}

/** Upload `file` (multipart), telling `onProgress` the share sent (0-100); resolves to the check. */
export function uploadFile(file, onProgress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', '/api/uploads');
    request.responseType = 'json';
    request.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(Math.round((event.loaded / event.total) * 100));
    });
    request.addEventListener('load', () => {
      const body = request.response;
      if (request.status >= 200 && request.status < 300) resolve(body);
      else reject(new ApiError(messageOf(body, request.status), request.status, body));
    });
    request.addEventListener('error', () =>
      reject(new ApiError('The upload did not reach the server (is it still running?).', 0)),
    );
    const form = new FormData();
    form.append('file', file, file.name);
    request.send(form);
  });
}
