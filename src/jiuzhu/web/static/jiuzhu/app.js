document.addEventListener("DOMContentLoaded", function () {
  // 添加成员 (household form): clone the hidden row template with the next free index.
  var button = document.getElementById("add-member-row");
  var tpl = document.getElementById("member-row-template");
  var rows = document.getElementById("member-rows");
  if (!button || !tpl || !rows) return;
  button.addEventListener("click", function () {
    var i = parseInt(button.dataset.next, 10);
    var html = tpl.innerHTML.split("__i__").join(String(i)).split("__n__").join(String(i + 1));
    rows.insertAdjacentHTML("beforeend", html);
    button.dataset.next = String(i + 1);
    var first = rows.querySelector('[data-row="' + i + '"] input');
    if (first) first.focus();
  });
});

// 添加一行 in case forms (核对项目, 近亲属申报): delegated, so it also works in htmx-loaded forms.
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("button.add-row");
  if (!button) return;
  var box = button.closest("fieldset[data-rows]");
  var tpl = box && box.querySelector("template.row-template");
  if (!tpl) return;
  var i = parseInt(button.dataset.next, 10) || 0;
  box.querySelector(".rows-body").insertAdjacentHTML("beforeend", tpl.innerHTML.split("__i__").join(String(i)));
  button.dataset.next = String(i + 1);
});

// Selects that submit their filter form on change (公示 township filter); data-clears empties a dependent select.
document.addEventListener("change", function (event) {
  var el = event.target;
  if (!el.matches || !el.matches("select[data-autosubmit]")) return;
  var dependent = el.dataset.clears && el.form.elements[el.dataset.clears];
  if (dependent) dependent.value = "";
  el.form.submit();
});

// Action forms answer 422/409/403 with the form and its messages: show them instead of dropping them.
document.addEventListener("htmx:beforeSwap", function (event) {
  var status = event.detail.xhr.status;
  var elt = event.detail.requestConfig && event.detail.requestConfig.elt;
  var inPanel = (elt && elt.closest && elt.closest("[data-htmx-errors], #case-actions")) ||
    (event.detail.target && event.detail.target.closest && event.detail.target.closest("[data-htmx-errors], #case-actions"));
  if (inPanel && (status === 403 || status === 409 || status === 422)) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// Parts shown only while a checkbox is ticked (近亲属申报 rows under "有近亲属……").
function syncShownBy() {
  document.querySelectorAll("[data-shown-by]").forEach(function (part) {
    var box = document.getElementById(part.dataset.shownBy);
    if (box) part.hidden = !box.checked;
  });
}
document.addEventListener("DOMContentLoaded", syncShownBy);
document.addEventListener("change", function (event) {
  if (event.target.type === "checkbox") syncShownBy();
});

// Buttons marked data-remove-after-request go away once their request is done (显示完整号码): no inline
// handlers, the Content-Security-Policy allows scripts from files only (issue 18 §6).
document.addEventListener("htmx:afterRequest", function (event) {
  var elt = event.detail && event.detail.elt;
  if (elt && elt.hasAttribute && elt.hasAttribute("data-remove-after-request")) elt.remove();
});
