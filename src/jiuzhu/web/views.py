from django.http import HttpResponse


def workbench(request):
    return HttpResponse("救助")
