// 添加成员: clone the hidden row template with the next free index.
document.addEventListener("DOMContentLoaded", function () {
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
