// The history of connection tests (lgsp check) kept in the state directory, per system.
const select = document.getElementById('system');
const cell = (text, cls) => Object.assign(document.createElement('td'), { textContent: text, ...(cls && { className: cls }) });

async function show() {
  const all = (await (await fetch('/api/checks')).json()).runs;
  const systems = [...new Set(all.map((r) => r.system))].sort();
  if (select.options.length !== systems.length + 1) {
    const chosen = select.value;
    select.replaceChildren(new Option('all systems', ''), ...systems.map((s) => new Option(s, s)));
    select.value = chosen;
  }
  const runs = all.filter((r) => !select.value || r.system === select.value);
  document.getElementById('note').textContent = all.length === 0
    ? 'No run yet: lgsp check <system> keeps each run\'s reports in the state directory, and they are listed here.'
    : `${runs.length} run${runs.length === 1 ? '' : 's'}`;
  document.querySelector('#runs tbody').replaceChildren(...runs.map((r) => {
    const tr = document.createElement('tr');
    const links = document.createElement('td');
    for (const [file, label] of [['report.html', 'HTML'], ['junit.xml', 'JUnit'], ['report.json', 'JSON']]) {
      links.append(Object.assign(document.createElement('a'), { href: `/api/checks/${r.run}/${file}`, textContent: label }), ' ');
    }
    tr.append(cell(new Date(r.startedAt).toLocaleString()), cell(r.system), cell(`${r.plan}${r.mock ? ' (mock)' : ''}`),
      cell(r.verdict, r.verdict === 'passed' ? 'ok' : 'err'), cell(`${r.score.passed}/${r.score.total} · ${r.score.percent} %`, 'num'), cell(String(r.failed), 'num'), links);
    return tr;
  }));
}

select.addEventListener('change', show);
show();
setInterval(show, 5000);
