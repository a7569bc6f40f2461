from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from jiuzhu.apps.registry.selectors import households_visible


@login_required
def workbench(request):
    count = households_visible(actor=request.user).count()
    return render(request, "web/workbench.html", {"household_count": count, "tasks": []})
