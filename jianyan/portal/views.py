"""The public site (no login): published proposals with their replies, search, units, statistics, the Atom
feed, the sitemap and the open data. Everything reads through jianyan.disclosure.public."""


from django.core.paginator import Page, Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_GET

from jianyan import search
from jianyan.disclosure import public
from jianyan.people.models import Unit
from jianyan.portal import opendata
from jianyan.portal.page_cache import anonymous_page_cache
from jianyan.workspace.web import Crumb

PAGE_SIZE = 20
FEED_SIZE = 50


def portal_crumbs(*more: Crumb) -> list[Crumb]:
    return [Crumb("首页", reverse("portal:home")), *more]


@require_GET
@anonymous_page_cache
def home(request):
    latest = public.cached_figure("latest", public.latest)
    return render(request, "portal/home.html", {"latest": latest, "total": public.public_total()})


@require_GET
@anonymous_page_cache
def proposals(request):
    """Browse by session, theme, unit, result class and state, or search; 20 to a page."""
    filters = public.Filters.from_query(request.GET)
    listing = public.cached_listing(filters, request.GET.get("page"), PAGE_SIZE)
    paginator = Paginator([], PAGE_SIZE)
    paginator.count = listing.count
    page = Page(listing.rows, listing.number, paginator)
    return render(request, "portal/proposals.html", {
        "page": page, "rows": listing.rows, "filters": filters, "ranked": listing.ranked,
        "capped": listing.ranked and listing.count >= search.MAX_RESULTS,
        "options": public.cached_filter_options(filters.committee), "q": filters.q,
        "crumbs": portal_crumbs(Crumb("公开提案")),
    })


@require_GET
@anonymous_page_cache
def proposal(request, pk: int):
    shown = public.cached_figure("proposal", lambda: public.public_page(pk), str(pk))
    if shown is None:
        raise Http404("该提案不存在或未公开")
    publication, units, timeline = shown
    return render(request, "portal/proposal.html", {
        "pub": publication, "p": publication.proposal, "units": units, "timeline": timeline,
        "result_label": public.RESULT_CLASS_LABELS.get(publication.result_class, ""),
        "canonical": request.build_absolute_uri(reverse("portal:proposal", args=[publication.pk])),
        "crumbs": portal_crumbs(Crumb("公开提案", reverse("portal:proposals")), Crumb(publication.title[:24])),
    })


def chosen_year(request, years: list[int]) -> int | None:
    value = request.GET.get("year", "")
    if value.isdigit() and int(value) in years:
        return int(value)
    return years[0] if years else None


@require_GET
@anonymous_page_cache
def units(request):
    return render(request, "portal/units.html", {
        "units": public.units_with_publications(), "crumbs": portal_crumbs(Crumb("承办单位")),
    })


@require_GET
@anonymous_page_cache
def unit(request, pk: int):
    unit = get_object_or_404(Unit.objects.select_related("committee"), pk=pk, is_active=True)
    years = public.cached_public_years(unit.committee)
    year = chosen_year(request, years)
    figures = public.cached_figure("unit", lambda: public.unit_statistics(unit, year), unit.pk, year) if year else None
    latest = public.cached_figure("unit-latest", lambda: public.latest_of_unit(unit), unit.pk)
    return render(request, "portal/unit.html", {
        "unit": unit, "years": years, "year": year, "figures": figures, "latest": latest,
        "crumbs": portal_crumbs(Crumb("承办单位", reverse("portal:units")), Crumb(unit.name)),
    })


def chart_data(stats: dict) -> dict:
    return {
        "themes": [{"name": k, "value": v} for k, v in stats["by_category"].items() if v],
        "classes": [{"name": f"{k}类", "value": v} for k, v in stats["by_result_class"].items()],
        "units": {"names": [u["unit"] for u in stats["by_unit"][:12]],
                  "lead": [u["lead"] for u in stats["by_unit"][:12]],
                  "co": [u["co"] for u in stats["by_unit"][:12]],
                  "separate": [u["separate"] for u in stats["by_unit"][:12]]},
    }


@require_GET
@anonymous_page_cache
def statistics(request):
    committee = public.public_committee(request.GET.get("committee", ""))
    years = public.cached_public_years(committee) if committee else []
    year = chosen_year(request, years)
    stats = public.cached_figure("statistics", lambda: public.public_statistics(committee=committee, year=year),
                                 committee.pk, year) if year else None
    return render(request, "portal/statistics.html", {
        "stats": stats, "charts": chart_data(stats) if stats else None, "years": years, "year": year,
        "committee": committee, "crumbs": portal_crumbs(Crumb("年度统计")),
    })


@require_GET
def feed(request):
    """Atom feed of newly published replies (the redacted reply as the entry's content)."""
    pubs = list(public.with_listing_data(public.public_publications()).order_by("-published_at", "-id")[:FEED_SIZE])
    atom = Atom1Feed(
        title="建言 · 新公开的提案答复", link=request.build_absolute_uri(reverse("portal:proposals")),
        description="政协提案及其答复的公开发布", language="zh-CN",
        feed_url=request.build_absolute_uri(reverse("portal:feed")),
    )
    for pub in pubs:
        url = request.build_absolute_uri(reverse("portal:proposal", args=[pub.pk]))
        atom.add_item(title=pub.title, link=url, description=pub.reply, unique_id=url,
                      pubdate=pub.published_at, updateddate=pub.changed_at,
                      categories=[pub.proposal.theme.name] if pub.proposal.theme_id else [])
    response = HttpResponse(content_type="application/atom+xml; charset=utf-8")
    atom.write(response, "utf-8")
    return response


@require_GET
def sitemap(request):
    pubs = public.public_publications().order_by("id").values_list("pk", "changed_at")
    unit_ids = Unit.objects.filter(is_active=True).order_by("id").values_list("pk", flat=True)
    absolute = request.build_absolute_uri
    urls = [(absolute(reverse(name)), None) for name in ("portal:home", "portal:proposals", "portal:units",
                                                           "portal:statistics", "portal:open_data")]
    urls += [(absolute(reverse("portal:unit", args=[u])), None) for u in unit_ids]
    urls += [(absolute(reverse("portal:proposal", args=[pk])), changed) for pk, changed in pubs]
    return render(request, "portal/sitemap.xml", {"urls": urls}, content_type="application/xml; charset=utf-8")


@require_GET
@anonymous_page_cache
def open_data(request):
    return render(request, "portal/open_data.html", {
        "fields": [(f, opendata.FIELD_LABELS[f]) for f in opendata.FIELDS],
        "crumbs": portal_crumbs(Crumb("开放数据")),
    })


def open_data_file(request, fmt: str):
    def url(pk):
        return request.build_absolute_uri(reverse("portal:proposal", args=[pk]))

    stamp = timezone.localdate().strftime("%Y%m%d")
    if fmt == "csv":
        response = HttpResponse(opendata.as_csv(opendata.records(url)), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(opendata.as_json(opendata.records(url)), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="jianyan-proposals-{stamp}.{fmt}"'
    return response


@require_GET
def open_data_csv(request):
    return open_data_file(request, "csv")


@require_GET
def open_data_json(request):
    return open_data_file(request, "json")


def robots(request):
    lines = ["User-agent: *", "Disallow: /staff/", "Disallow: /workspace/", "Disallow: /api/",
             f"Sitemap: {request.build_absolute_uri(reverse('portal:sitemap'))}"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


