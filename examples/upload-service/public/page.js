// The upload page: sends the chosen file with a progress bar, then shows the stored record or the
// problem+json error in plain words, and how many uploads are left from the RateLimit header.
const form = document.getElementById('upload-form');
const input = document.getElementById('file');
const progress = document.getElementById('progress');
const result = document.getElementById('result');
const quota = document.getElementById('quota');

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const file = input.files[0];
  if (!file) return;
  const body = new FormData();
  body.append('file', file);
  const xhr = new XMLHttpRequest();
  xhr.open('POST', '/uploads');
  xhr.responseType = 'json';
  xhr.upload.addEventListener('progress', (e) => {
    if (e.lengthComputable) progress.value = Math.round((e.loaded / e.total) * 100);
  });
  xhr.addEventListener('load', () => {
    progress.value = 100;
    showQuota(xhr.getResponseHeader('RateLimit'));
    if (xhr.status === 201) showStored(xhr.response);
    else showProblem(xhr.status, xhr.response);
  });
  xhr.addEventListener('error', () => showProblem(0, null));
  progress.value = 0;
  result.replaceChildren();
  xhr.send(body);
});

function showStored(record) {
  result.className = 'ok';
  result.replaceChildren(
    heading('Stored'),
    list([
      ['Your file', record.originalName],
      ['Stored as', record.storedName],
      ['Size', `${record.size} bytes`],
      ['SHA-256', record.sha256],
      ['Type', record.mimeType],
    ]),
  );
}

function showProblem(status, problem) {
  result.className = 'error';
  const detail =
    problem && typeof problem.detail === 'string' ? problem.detail : 'No answer from the server';
  const title = problem && typeof problem.title === 'string' ? problem.title : 'Upload failed';
  const rows = [
    ['What happened', detail],
    ['Status', status ? `${status} ${title}` : 'network error'],
  ];
  if (problem && problem.errorId) rows.push(['Reference', problem.errorId]);
  result.replaceChildren(heading('Not stored'), list(rows));
}

function showQuota(header) {
  // draft-ietf-httpapi-ratelimit-headers: "uploads";r=19;t=60 (the last policy is the tightest here).
  const matches = [...String(header ?? '').matchAll(/;r=(\d+)/g)];
  if (matches.length === 0) return;
  const remaining = Math.min(...matches.map((m) => Number(m[1])));
  quota.textContent = `Uploads left in this window: ${remaining}`;
}

function heading(text) {
  const h = document.createElement('h2');
  h.textContent = text;
  return h;
}

function list(rows) {
  const dl = document.createElement('dl');
  for (const [term, value] of rows) {
    const dt = document.createElement('dt');
    const dd = document.createElement('dd');
    dt.textContent = term;
    dd.textContent = value; // textContent, never innerHTML: names and messages are untrusted
    dl.append(dt, dd);
  }
  return dl;
}
