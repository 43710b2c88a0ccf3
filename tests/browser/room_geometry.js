// Geometry checks the team-room browser tests run in the page (read by test_browser_teamroom.py).
// Each is one arrow function, separated by a line holding only "// ---".

// Controls (buttons, fields, tabs) that the sticky bar or a toast overlaps, at this scroll position.
(bar) => {
  const boxes = [document.getElementById('roombar'), ...document.querySelectorAll('#roombar .toast')]
    .filter((n) => n && n.getClientRects().length).map((n) => n.getBoundingClientRect());
  const controls = [...document.querySelectorAll('button, input, select, textarea, a[href], [role=tab]')]
    .filter((n) => !n.closest('#roombar') && n.getClientRects().length && getComputedStyle(n).visibility !== 'hidden');
  const overlap = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  const hits = [];
  for (const node of controls) {
    const r = node.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.bottom < 0 || r.top > innerHeight) continue;
    for (const b of boxes) if (overlap(r, b)) hits.push((node.id || node.textContent || node.tagName).trim().slice(0, 40));
  }
  return {hits, boxes: boxes.length, controls: controls.length};
}
// ---
// Focus each enabled control in turn; list those whose centre is then under the sticky bar.
() => {
  const controls = [...document.querySelectorAll('button, input, select, textarea, [role=tab]')]
    .filter((n) => !n.closest('#roombar') && !n.disabled && n.getClientRects().length);
  const covered = [];
  for (const node of controls) {
    node.focus();
    if (document.activeElement !== node) continue;
    const r = node.getBoundingClientRect();
    const x = Math.min(Math.max(r.left + r.width / 2, 1), innerWidth - 1);
    const y = Math.min(Math.max(r.top + Math.min(r.height / 2, 12), 1), innerHeight - 1);
    const top = document.elementFromPoint(x, y);
    if (top && top !== node && !node.contains(top) && top.closest('#roombar')) {
      covered.push((node.id || node.getAttribute('aria-label') || node.textContent).trim().slice(0, 40));
    }
  }
  return {covered, checked: controls.length};
}
