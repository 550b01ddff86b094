"""JSON for integrators: the same data the pages show."""

from django.http import JsonResponse
from django.views.decorators.http import require_GET

from codes import selectors
from codes.forms import AsOfForm
from codes.views import coder_required


@require_GET
@coder_required
def compare(request):
    form = AsOfForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"error": form.error_message()}, status=400)
    try:
        codes = selectors.codes_for_tokens(",".join(request.GET.getlist("codes")))
        comparison = selectors.comparison_for(codes, as_of=form.cleaned_data["as_of"])
    except selectors.CodeLookupError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse(comparison.as_document())
