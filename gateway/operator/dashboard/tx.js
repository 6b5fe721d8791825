// One transaction's own page: every field the ledger holds for it, with times in local time.
const tx = new URLSearchParams(location.search).get('tx') ?? '';
const local = (t) => (t ? `${new Date(t).toLocaleString()} (${new Date(t).toISOString()})` : '–');
const LABELS = {
  tx: 'transaction', messageId: 'message id', kind: 'kind', client: 'client', service: 'service', provider: 'provider', userId: 'user (officer)',
  issue: 'issue (dossier or case)', requestIn: 'request in', requestOut: 'request out (to the provider)', responseIn: 'response in (from the provider)',
  responseOut: 'response out (to the client)', requestSize: 'request size (bytes)', responseSize: 'response size (bytes)', outcome: 'outcome',
  businessError: 'business error', instance: 'gateway instance', requestHash: 'request hash', responseHash: 'response hash', seq: 'ledger sequence',
};

// The journal holds personal data: it is shown with an operator token, kept for this tab only.
const TOKEN_KEY = 'lgsp-operator-token';

async function show() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const res = await fetch(`/api/transactions/${encodeURIComponent(tx)}`, token ? { headers: { Authorization: `Bearer ${token}` } } : {});
  const body = await res.json();
  const dl = document.getElementById('record');
  if (!res.ok) {
    document.getElementById('title').textContent = body.error;
    return;
  }
  const r = body.record;
  const kind = r.businessError ? 'business' : r.outcome === 'ok' ? 'ok' : 'gateway';
  const pill = document.getElementById('outcome');
  pill.textContent = r.businessError ? `business error ${r.businessError}` : r.outcome;
  pill.className = `pill ${kind === 'gateway' ? 'down' : 'up'}`;
  document.getElementById('title').textContent = `${r.service ?? '(unreadable message)'} — ${r.tx}`;
  const total = (r.responseOut ?? r.requestOut ?? r.requestIn) - r.requestIn;
  const rows = Object.entries(LABELS).map(([k, label]) => [label, /^(request|response)(In|Out)$/.test(k) ? local(r[k]) : r[k] ?? '–']);
  rows.push(['time at the gateway', `${total} ms`]);
  dl.replaceChildren(...rows.flatMap(([label, value]) => [
    Object.assign(document.createElement('dt'), { textContent: label }),
    Object.assign(document.createElement('dd'), { textContent: String(value) }),
  ]));
  const form = document.getElementById('token-form');
  form.hidden = !body.journalNeedsToken;
  if (body.journalNeedsToken) {
    document.getElementById('journal-note').textContent = token
      ? 'That token is not an operator token: the journal holds personal data.'
      : 'The journal holds personal data: give an operator token (npx lgsp keys operator-token) to see it.';
    document.getElementById('journal').replaceChildren();
    return;
  }
  showJournal(body.journal ?? [], r.requestIn);
}

document.getElementById('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, document.getElementById('token').value.trim());
  show();
});

// What crossed the doors and the gateway, in order: each entry's time after the request came in,
// where (http, dvcqg, lgsp, soap, amqp, gateway), what happened, and its detail as recorded.
function showJournal(entries, start) {
  document.getElementById('journal-note').textContent = entries.length === 0
    ? 'No journal for this transaction (journaling is off for this gateway: lgsp gateway --journal turns it on).'
    : `${entries.length} entries`;
  document.getElementById('journal').replaceChildren(...entries.map((e) => {
    const li = document.createElement('li');
    const head = Object.assign(document.createElement('div'), { className: 'journal-head' });
    head.append(
      Object.assign(document.createElement('span'), { className: 'journal-at', textContent: `+${e.at - start} ms` }),
      Object.assign(document.createElement('span'), { className: 'pill', textContent: e.door }),
      Object.assign(document.createElement('span'), { textContent: e.what }),
    );
    const pre = Object.assign(document.createElement('pre'), { textContent: JSON.stringify(e.detail, null, 2) });
    li.append(head, pre);
    return li;
  }));
}
show();
