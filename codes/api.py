"""JSON for integrators: the same data the pages show."""

from django.http import JsonResponse
from django.views.decorators.http import require_GET

from codes import selectors
from codes.views import coder_required


@require_GET
@coder_required
def compare(request):
    try:
        codes = selectors.codes_for_tokens(",".join(request.GET.getlist("codes")))
    except selectors.CodeLookupError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse(selectors.comparison_for(codes).as_document())
