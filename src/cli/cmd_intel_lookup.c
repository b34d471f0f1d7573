/* cmd_intel_lookup.c — `spoor intel lookup`: what spoor knows of IPs,
 * domains, URLs and hashes — type, special range, country, ASN, IOC hits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "base/buf.h"

static const char usage_lookup[] =
    "usage: spoor intel lookup [--json] [--intel FILE|DIR]... [--geoip FILE]... [--ids-only] [-v] VALUE...\n"
    "\n"
    "Tell what spoor knows of each VALUE (an IP address, domain, URL, hash, file\n"
    "name or path, registry key, pipe or mutex; defanged values such as\n"
    "hxxp://evil[.]com are accepted): its type, the special-purpose range it is\n"
    "in (private, loopback, documentation, ...), its country and ASN, and the\n"
    "indicators it matches with their source, confidence and links to actors,\n"
    "malware and campaigns.\n"
    "\n"
    "options:\n"
    "  --intel PATH     load indicators: STIX 2.1 bundles, MISP events or feed\n"
    "                   folders, CSV / plain lists (a folder is read recursively)\n"
    "  --geoip FILE     a MaxMind DB (.mmdb) or range CSV (start,end,asn,org or\n"
    "                   start,end,country); repeat to combine.  Without it the\n"
    "                   default search path is used: $SPOOR_GEOIP (colon-separated),\n"
    "                   else <exe dir>/../intel/geo/, /usr/share/spoor/geo/,\n"
    "                   /usr/share/GeoIP/\n"
    "  --ids-only       MISP: load only attributes with to_ids set\n"
    "  --json           one JSON array, an object per value\n"
    "  -v, --verbose    list every skipped record and unsupported pattern on stderr\n"
    "\n"
    "exit codes: 0 something is known of at least one value, 1 nothing is known of\n"
    "            any value, 2 usage, 3 nothing could be loaded from --intel/--geoip\n";

static void jstr(sp_buf *b, const char *s)
{
    sp_buf_putc(b, '"');
    sp_json_escape(b, s, strlen(s));
    sp_buf_putc(b, '"');
}

static void print_links_text(const sp_ioc *o)
{
    if (!o->nlinks) return;
    printf("      links:");
    for (size_t k = 0; k < o->nlinks; k++) {
        const sp_ioc_link *l = &o->links[k];
        printf("%s %s", k ? ";" : "", l->kind);
        if (l->name[0]) printf(" \"%s\"", l->name);
        if (l->attack_id[0]) printf(" %s", l->attack_id);
        if (!l->name[0] && !l->attack_id[0] && l->ref[0]) printf(" %s", l->ref);
    }
    printf("\n");
}

static void hit_json(sp_buf *b, const sp_ioc_hit *h)
{
    const sp_ioc *o = h->ioc;
    sp_buf_puts(b, "{\"indicator\": ");
    jstr(b, o->value);
    sp_buf_puts(b, ", \"type\": ");
    jstr(b, sp_ioc_type_name(o->type));
    sp_buf_printf(b, ", \"exact\": %s, \"id\": ", h->exact ? "true" : "false");
    jstr(b, o->id);
    sp_buf_puts(b, ", \"source\": ");
    jstr(b, o->source);
    sp_buf_puts(b, ", \"name\": ");
    jstr(b, o->name);
    sp_buf_puts(b, ", \"comment\": ");
    jstr(b, o->comment);
    if (o->confidence >= 0) sp_buf_printf(b, ", \"confidence\": %d", o->confidence);
    else sp_buf_puts(b, ", \"confidence\": null");
    sp_buf_printf(b, ", \"to_ids\": %s, \"labels\": [", o->to_ids ? "true" : "false");
    for (size_t k = 0; k < o->nlabels; k++) {
        if (k) sp_buf_puts(b, ", ");
        jstr(b, o->labels[k]);
    }
    sp_buf_puts(b, "], \"links\": [");
    for (size_t k = 0; k < o->nlinks; k++) {
        const sp_ioc_link *l = &o->links[k];
        if (k) sp_buf_puts(b, ", ");
        sp_buf_puts(b, "{\"kind\": ");
        jstr(b, l->kind);
        sp_buf_puts(b, ", \"name\": ");
        jstr(b, l->name);
        sp_buf_puts(b, ", \"attack_id\": ");
        jstr(b, l->attack_id);
        sp_buf_puts(b, ", \"ref\": ");
        jstr(b, l->ref);
        sp_buf_putc(b, '}');
    }
    sp_buf_puts(b, "]}");
}

/* the host of a URL when it is an IP address, for geo */
static size_t url_ip_host(const char *v, size_t n, char *out, size_t cap)
{
    const char *p = strstr(v, "://");
    if (!p) return 0;
    p += 3;
    const char *e = p;
    while (e < v + n && *e != '/' && *e != '?' && *e != '#') e++;
    const char *at = memchr(p, '@', (size_t)(e - p));
    if (at) p = at + 1;
    if ((size_t)(e - p) >= cap) return 0;
    memcpy(out, p, (size_t)(e - p));
    out[e - p] = 0;
    return (size_t)(e - p);
}

int cmd_intel_lookup(int argc, char **argv)
{
    int json = 0, verbose = 0, ids_only = 0;
    const char **intel = calloc((size_t)argc + 1, sizeof *intel);
    const char **geo = calloc((size_t)argc + 1, sizeof *geo);
    const char **vals = calloc((size_t)argc + 1, sizeof *vals);
    int nintel = 0, ngeo = 0, nvals = 0, rc = EX_OK;
    sp_intel *in = NULL;
    sp_geo *g = NULL;
    sp_buf *out = NULL;
    if (!intel || !geo || !vals) {
        rc = EX_NOINPUT;
        goto done;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--json")) json = 1;
        else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) verbose = 1;
        else if (!strcmp(a, "--ids-only")) ids_only = 1;
        else if (!strcmp(a, "--intel") && i + 1 < argc) intel[nintel++] = argv[++i];
        else if (!strcmp(a, "--geoip") && i + 1 < argc) geo[ngeo++] = argv[++i];
        else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage_lookup, stdout);
            goto done;
        } else if (!strcmp(a, "--")) {
            while (++i < argc) vals[nvals++] = argv[i];
        } else if (a[0] == '-' && a[1] && a[1] != '-' && !(a[1] >= '0' && a[1] <= '9')) {
            fprintf(stderr, "spoor intel lookup: unknown option '%s'\n\n%s", a, usage_lookup);
            rc = EX_USAGE;
            goto done;
        } else if (a[0] == '-' && a[1] == '-') {
            fprintf(stderr, "spoor intel lookup: unknown option or missing argument '%s'\n\n%s", a, usage_lookup);
            rc = EX_USAGE;
            goto done;
        } else
            vals[nvals++] = a;
    }
    if (!nvals) {
        fputs(usage_lookup, stderr);
        rc = EX_USAGE;
        goto done;
    }
    /* intelligence */
    sp_intel_opts io = {ids_only, -1};
    sp_error err;
    if (sp_intel_new(&io, &in, &err) != SP_OK) {
        rc = EX_NOINPUT;
        goto done;
    }
    int sources_given = nintel + ngeo, sources_ok = 0;
    for (int i = 0; i < nintel; i++) {
        size_t before = sp_intel_count(in);
        size_t src_before = sp_intel_source_count(in);
        sp_status st = sp_intel_load_path(in, intel[i], &err);
        if (st != SP_OK) {
            fprintf(stderr, "spoor: %s: %s\n", err.file[0] ? err.file : intel[i], err.msg);
            if (st == SP_ERR_NOMEM) {
                rc = EX_NOINPUT;
                goto done;
            }
            continue;
        }
        for (size_t s = src_before; s < sp_intel_source_count(in); s++) {
            const sp_intel_source *so = sp_intel_source_at(in, s);
            if (so->error[0]) fprintf(stderr, "spoor: %s: %s\n", so->path, so->error);
        }
        if (sp_intel_count(in) > before) sources_ok++;
        else fprintf(stderr, "spoor: %s: no indicator loaded\n", intel[i]);
    }
    size_t skipped = 0, unsupported = 0;
    for (size_t s = 0; s < sp_intel_source_count(in); s++) {
        skipped += sp_intel_source_at(in, s)->skipped;
        unsupported += sp_intel_source_at(in, s)->unsupported;
    }
    if (verbose)
        for (size_t k = 0; k < sp_intel_issue_count(in); k++) {
            sp_intel_issue is;
            sp_intel_issue_at(in, k, &is);
            fprintf(stderr, "spoor: %s: %s: %s%s\n", is.source, is.where,
                    is.unsupported == 1 ? "unsupported pattern: " : is.unsupported == 2 ? "note: " : "skipped: ",
                    is.reason);
        }
    else if (skipped || unsupported)
        fprintf(stderr, "spoor: intel: %zu records skipped, %zu unsupported patterns (-v lists them)\n", skipped,
                unsupported);
    if (sp_intel_compile(in, &err) != SP_OK) {
        fprintf(stderr, "spoor: %s\n", err.msg);
        rc = EX_NOINPUT;
        goto done;
    }
    /* geo */
    if (sp_geo_new(&g) != SP_OK) {
        rc = EX_NOINPUT;
        goto done;
    }
    for (int i = 0; i < ngeo; i++) {
        if (sp_geo_add_file(g, geo[i], &err) != SP_OK) fprintf(stderr, "spoor: %s: %s\n", err.file, err.msg);
        else sources_ok++;
    }
    if (!ngeo) sp_geo_add_default(g, argv[0]);
    if (sources_given && !sources_ok) {
        fprintf(stderr, "spoor intel lookup: nothing could be loaded\n");
        rc = EX_NOINPUT;
        goto done;
    }
    out = sp_buf_new();
    if (!out) {
        rc = EX_NOINPUT;
        goto done;
    }
    int known_any = 0;
    if (json) sp_buf_putc(out, '[');
    for (int i = 0; i < nvals; i++) {
        size_t rl = strlen(vals[i]);
        char *v = malloc(rl + 16);
        if (!v) {
            rc = EX_NOINPUT;
            goto done;
        }
        size_t vl = sp_ioc_refang(vals[i], rl, v, rl + 16);
        v[vl] = 0;
        sp_ioc_type t = sp_ioc_detect(v, vl);
        sp_geo_info gi;
        int geo_r = -1;
        if (t == SP_IOC_IPV4 || t == SP_IOC_IPV6) geo_r = sp_geo_lookup(g, v, vl, &gi);
        else if (t == SP_IOC_URL) {
            char h[300];
            size_t hl = url_ip_host(v, vl, h, sizeof h);
            if (hl) geo_r = sp_geo_lookup(g, h, hl, &gi);
        }
        sp_ioc_hit hits[64];
        size_t nh = sp_intel_lookup(in, t, v, vl, hits, 64);
        int known = nh || geo_r == 1;
        known_any |= known;
        if (json) {
            if (i) sp_buf_putc(out, ',');
            sp_buf_puts(out, "\n {\"value\": ");
            jstr(out, v);
            sp_buf_puts(out, ", \"type\": ");
            jstr(out, t == SP_IOC_NONE ? "unknown" : sp_ioc_type_name(t));
            if (geo_r >= 0) {
                sp_buf_puts(out, ", \"special\": ");
                if (gi.special[0]) jstr(out, gi.special);
                else sp_buf_puts(out, "null");
                sp_buf_puts(out, ", \"country\": ");
                if (gi.country[0]) jstr(out, gi.country);
                else sp_buf_puts(out, "null");
                if (gi.asn) {
                    sp_buf_printf(out, ", \"asn\": %u, \"as_org\": ", gi.asn);
                    jstr(out, gi.as_org);
                } else
                    sp_buf_puts(out, ", \"asn\": null, \"as_org\": null");
            }
            sp_buf_printf(out, ", \"known\": %s, \"hits\": [", known ? "true" : "false");
            for (size_t k = 0; k < nh; k++) {
                if (k) sp_buf_puts(out, ", ");
                hit_json(out, &hits[k]);
            }
            sp_buf_puts(out, "]}");
        } else {
            printf("%s\n  type: %s\n", v, t == SP_IOC_NONE ? "unknown" : sp_ioc_type_name(t));
            if (geo_r >= 0) {
                if (gi.special[0]) printf("  range: %s\n", gi.special);
                if (gi.country[0]) printf("  country: %s\n", gi.country);
                if (gi.asn) printf("  asn: AS%u%s%s\n", gi.asn, gi.as_org[0] ? " " : "", gi.as_org);
            }
            for (size_t k = 0; k < nh; k++) {
                const sp_ioc *o = hits[k].ioc;
                printf("  ioc: %s [%s%s]", o->value, sp_ioc_type_name(o->type), hits[k].exact ? "" : ", contains");
                if (o->confidence >= 0) printf(" confidence %d", o->confidence);
                if (!o->to_ids) printf(" (not to_ids)");
                if (o->name[0]) printf(" — %s", o->name);
                printf("\n      source: %s%s%s%s\n", o->source, o->id[0] ? " (" : "", o->id, o->id[0] ? ")" : "");
                if (o->comment[0]) printf("      comment: %s\n", o->comment);
                print_links_text(o);
            }
            if (!known) printf("  nothing known\n");
        }
        free(v);
    }
    if (json) {
        sp_buf_puts(out, "\n]\n");
        fwrite(sp_buf_data(out), 1, sp_buf_len(out), stdout);
    }
    rc = known_any ? EX_OK : EX_FOUND;
done:
    sp_buf_free(out);
    sp_geo_free(g);
    sp_intel_free(in);
    free(intel);
    free(geo);
    free(vals);
    return rc;
}
