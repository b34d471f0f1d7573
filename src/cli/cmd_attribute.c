/* cmd_attribute.c — `spoor attribute`: who is most likely behind an
 * intrusion, from a hunt's findings or an evidence file (docs/attribution.md).
 * All the work is libspoor's sp_evidence / sp_attr / sp_assessment. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "base/buf.h"

static const char usage_attr[] =
    "usage: spoor attribute [options] FINDINGS.json\n"
    "       spoor attribute [options] --evidence FILE\n"
    "\n"
    "Rank every group of the knowledge base, and an actor not in it, by how\n"
    "likely each is to be behind the activity: likelihood (ICD 203 term),\n"
    "confidence (low / moderate / high), the evidence for and against each with\n"
    "its weight, clusters of related groups, and what to hunt next.\n"
    "\n"
    "FINDINGS.json is the output of `spoor hunt --json` (its\n"
    "\"attribution_evidence\" object, else its \"techniques\" list); an evidence\n"
    "file lists techniques, software, malware, ips, countries, asns, hours,\n"
    "bare_ip_c2, victim_sector, victim_country (docs/attribution.md).  '-' reads\n"
    "standard input.\n"
    "\n"
    "options:\n"
    "  --evidence FILE        an evidence file\n"
    "  --victim-sector TEXT   the victim's sector (e.g. healthcare)\n"
    "  --victim-country CC    the victim's country (ISO code or name)\n"
    "  --top N                hypotheses shown (default 10)\n"
    "  --json                 one JSON object: hypotheses, clusters, hunt_next\n"
    "  --sigma PATH           Sigma rules (file or folder, repeatable): name the\n"
    "                         rules that look for what to hunt next\n"
    "  --attack FILE          ATT&CK from this STIX bundle / KB file instead of the\n"
    "                         shipped KB\n"
    "  --no-profiles          leave spoor's actor profiles out\n"
    "  --profiles PATH        profiles from PATH instead of <intel>/profiles\n"
    "\n"
    "exit codes: 0 ok, 2 usage, 3 the evidence or the knowledge base could not be read\n";

static char *slurp(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *p = malloc(cap);
    while (p) {
        if (n == cap) {
            if (cap > ((size_t)256 << 20)) { free(p); p = NULL; errno = EFBIG; break; }
            char *q = realloc(p, cap * 2);
            if (!q) { free(p); p = NULL; break; }
            p = q;
            cap *= 2;
        }
        size_t r = fread(p + n, 1, cap - n, f);
        n += r;
        if (r == 0) {
            if (ferror(f)) { free(p); p = NULL; }
            break;
        }
    }
    if (f != stdin) fclose(f);
    *len = n;
    return p;
}

/* the rules' ids, titles and tags, for "hunt next" */
static int set_rules(sp_attr *attr, const sp_ruleset *rs)
{
    size_t nr = sp_ruleset_count(rs);
    sp_attr_rule *r = calloc(nr ? nr : 1, sizeof *r);
    if (!r) return -1;
    for (size_t i = 0; i < nr; i++) {
        const sp_rule_info *ri = sp_ruleset_rule(rs, i);
        r[i] = (sp_attr_rule){ri->id, ri->title, ri->tags, ri->ntags};
    }
    sp_status s = sp_attr_set_rules(attr, r, nr);
    free(r);
    return s == SP_OK ? 0 : -1;
}

static int load_rules(char **paths, size_t n, sp_attr *attr, sp_ruleset **rs_out)
{
    sp_error err;
    memset(&err, 0, sizeof err);
    sp_ruleset *rs = NULL;
    *rs_out = NULL;
    if (sp_ruleset_new(NULL, &rs, &err) != SP_OK) return -1;
    for (size_t i = 0; i < n; i++)
        if (sp_ruleset_add_path(rs, paths[i], &err) != SP_OK) {
            fprintf(stderr, "spoor attribute: %s%s%s\n", err.file, err.file[0] ? ": " : "", err.msg);
            sp_ruleset_free(rs);
            return -1;
        }
    if (sp_ruleset_compile(rs, &err) != SP_OK) {
        fprintf(stderr, "spoor attribute: rules: %s\n", err.msg);
        sp_ruleset_free(rs);
        return -1;
    }
    *rs_out = rs;
    return set_rules(attr, rs);
}

int cli_attribute_run(const char *text, size_t len, const char *name, const cli_attr_opts *o, const sp_ruleset *rs,
                      sp_buf *out)
{
    int rc = EX_NOINPUT;
    sp_kb *kb = NULL;
    sp_attr *attr = NULL;
    sp_evidence *ev = NULL;
    sp_assessment *as = NULL;
    sp_error err;
    memset(&err, 0, sizeof err);
    if (sp_evidence_new(&ev) != SP_OK) goto done;
    if (sp_evidence_parse_json(ev, text, len, name, &err) != SP_OK) {
        fprintf(stderr, "spoor: %s: %s\n", err.file[0] ? err.file : name, err.msg);
        goto done;
    }
    if ((o->sector || o->country) && sp_evidence_set_victim(ev, o->sector, o->country) != SP_OK) {
        fprintf(stderr, "spoor: bad --victim-sector / --victim-country\n");
        rc = EX_USAGE;
        goto done;
    }
    if (cli_kb_load(o->attack, o->no_profiles, o->profiles, &kb) != EX_OK) goto done;
    memset(&err, 0, sizeof err);
    if (sp_attr_new(kb, NULL, &attr, &err) != SP_OK) {
        fprintf(stderr, "spoor: %s\n", err.msg[0] ? err.msg : "could not build the attribution model");
        goto done;
    }
    if (rs && set_rules(attr, rs)) goto done;
    if (sp_attr_assess(attr, ev, &as) != SP_OK) {
        fprintf(stderr, "spoor: out of memory\n");
        goto done;
    }
    if ((o->json ? sp_assessment_json(as, o->top, out) : sp_assessment_text(as, o->top, out)) != SP_OK) goto done;
    rc = EX_OK;
done:
    sp_assessment_free(as);
    sp_attr_free(attr);
    sp_evidence_free(ev);
    sp_kb_free(kb);
    return rc;
}

int cmd_attribute(int argc, char **argv)
{
    const char *input = NULL, *evidence = NULL, *attack = NULL, *profiles = NULL;
    const char *sector = NULL, *country = NULL;
    int no_profiles = 0, json = 0;
    unsigned top = 10;
    char **sigma = calloc((size_t)argc + 1, sizeof *sigma);
    size_t nsigma = 0;
    if (!sigma) return EX_NOINPUT;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has = i + 1 < argc;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { fputs(usage_attr, stdout); free(sigma); return EX_OK; }
        else if (!strcmp(a, "--json")) json = 1;
        else if (!strcmp(a, "--no-profiles")) no_profiles = 1;
        else if (!strcmp(a, "--evidence") && has) evidence = argv[++i];
        else if (!strcmp(a, "--attack") && has) attack = argv[++i];
        else if (!strcmp(a, "--profiles") && has) profiles = argv[++i];
        else if (!strcmp(a, "--sigma") && has) sigma[nsigma++] = argv[++i];
        else if (!strcmp(a, "--victim-sector") && has) sector = argv[++i];
        else if (!strcmp(a, "--victim-country") && has) country = argv[++i];
        else if (!strcmp(a, "--top") && has) {
            if (cli_parse_uint(argv[++i], &top) || !top) {
                fprintf(stderr, "spoor attribute: --top needs a number > 0\n");
                free(sigma);
                return EX_USAGE;
            }
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "spoor attribute: %s '%s'\n\n%s", has || strncmp(a, "--", 2) ? "unknown option" : "missing value for", a, usage_attr);
            free(sigma);
            return EX_USAGE;
        } else if (!input) input = a;
        else {
            fprintf(stderr, "spoor attribute: one findings file only ('%s')\n\n%s", a, usage_attr);
            free(sigma);
            return EX_USAGE;
        }
    }
    if (!input == !evidence) {
        fprintf(stderr, "spoor attribute: give FINDINGS.json or --evidence FILE (one of them)\n\n%s", usage_attr);
        free(sigma);
        return EX_USAGE;
    }
    const char *path = input ? input : evidence;
    int rc = EX_NOINPUT;
    sp_attr *attr = NULL;
    sp_ruleset *rs = NULL;
    sp_buf *out = NULL;
    size_t len = 0;
    cli_attr_opts o = {attack, profiles, sector, country, no_profiles, json, top};
    char *text = slurp(path, &len);
    if (!text) {
        fprintf(stderr, "spoor attribute: %s: %s\n", path, strerror(errno ? errno : EIO));
        goto done;
    }
    /* the rules are loaded once to check them, then named in "hunt next" */
    if (nsigma) {
        sp_kb *kb = NULL;
        sp_error err;
        memset(&err, 0, sizeof err);
        if (cli_kb_load(attack, no_profiles, profiles, &kb) != EX_OK) goto done;
        int bad = sp_attr_new(kb, NULL, &attr, &err) != SP_OK || load_rules(sigma, nsigma, attr, &rs);
        sp_kb_free(kb);
        if (bad) goto done;
    }
    out = sp_buf_new();
    if (!out) goto done;
    rc = cli_attribute_run(text, len, path, &o, rs, out);
    if (rc == EX_OK) fwrite(sp_buf_data(out), 1, sp_buf_len(out), stdout);
done:
    sp_buf_free(out);
    sp_attr_free(attr);
    sp_ruleset_free(rs);
    free(text);
    free(sigma);
    return rc;
}
