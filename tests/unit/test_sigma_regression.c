/* test_sigma_regression.c — SigmaHQ regression data: every info.yml under
 * ../shared/datasets/sigma/regression_data names a rule that must fire on an
 * EVTX file (match_count times when given).  Skips when the data is absent. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "test.h"
#include "spoor.h"

typedef struct rctx { sp_scanner *sc; const char *id; int hits; } rctx;

static int det_cb(void *user, const sp_detection *d)
{
    rctx *c = user;
    if (!strcmp(d->rule->id, c->id)) c->hits++;
    return 0;
}

static int on_rec(void *user, unsigned worker, const sp_record *rec, sp_buf *out)
{
    (void)worker; (void)out;
    rctx *c = user;
    sp_scanner_match_record(c->sc, rec, det_cb, c);
    return 0;
}

typedef struct tally { int cases, ok, bad; } tally;

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\'' || s[n - 1] == '"')) s[--n] = 0;
}

static void one_case(const char *root, const char *info, sp_ruleset *rs, tally *t)
{
    FILE *f = fopen(info, "r");
    if (!f) return;
    char line[1024], id[128] = "", path[900] = "";
    int count = -1, in_meta = 0;
    while (fgets(line, sizeof line, f)) {
        trim(line);
        if (!strncmp(line, "rule_metadata:", 14)) in_meta = 1;
        char *p = line;
        while (*p == ' ') p++;
        if (in_meta && !id[0] && !strncmp(p, "- id: ", 6)) snprintf(id, sizeof id, "%s", p + 6);
        if (!strncmp(p, "path: ", 6)) snprintf(path, sizeof path, "%s", p + 6);
        if (!strncmp(p, "match_count: ", 13)) count = atoi(p + 13);
    }
    fclose(f);
    if (!id[0] || !path[0]) return;
    char full[2048];
    snprintf(full, sizeof full, "%s/%s", root, path);
    sp_evtx *ev = NULL;
    sp_error err;
    sp_evtx_opts o = {1, 0, NULL, NULL};
    if (sp_evtx_open(full, &o, &ev, &err) != SP_OK) return;
    rctx c = {NULL, id, 0};
    sp_scanner_new(rs, &c.sc);
    sp_evtx_scan(ev, on_rec, NULL, &c, &err);
    sp_scanner_free(c.sc);
    sp_evtx_close(ev);
    t->cases++;
    int good = count >= 0 ? c.hits == count : c.hits > 0;
    if (good) t->ok++;
    else {
        t->bad++;
        printf("  regression: rule %s on %s: %d detections, expected %d\n", id, path, c.hits, count);
    }
}

static void walk(const char *root, const char *dir, sp_ruleset *rs, tally *t, int depth)
{
    if (depth > 16) return;
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char p[2048];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(p, &st)) continue;
        if (S_ISDIR(st.st_mode)) walk(root, p, rs, t, depth + 1);
        else if (!strcmp(e->d_name, "info.yml")) one_case(root, p, rs, t);
    }
    closedir(d);
}

TEST(sigma_regression_data)
{
    const char *dd = test_data_dir();
    if (!dd) SKIP("shared datasets absent");
    char root[1024], p[1200];
    snprintf(root, sizeof root, "%s/sigma", dd);
    snprintf(p, sizeof p, "%s/regression_data", root);
    struct stat st;
    if (stat(p, &st)) SKIP("sigma regression_data absent");
    sp_ruleset *rs = NULL;
    sp_error err;
    CHECK(sp_ruleset_new(NULL, &rs, &err) == SP_OK);
    const char *sub[] = {"rules", "rules-emerging-threats", "rules-threat-hunting"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s/%s", root, sub[i]);
        sp_ruleset_add_path(rs, p, &err);
    }
    CHECK(sp_ruleset_compile(rs, &err) == SP_OK);
    tally t = {0, 0, 0};
    snprintf(p, sizeof p, "%s/regression_data", root);
    walk(root, p, rs, &t, 0);
    printf("  regression: %d cases, %d as expected, %d not\n", t.cases, t.ok, t.bad);
    CHECK(t.cases > 0);
    CHECK(t.ok * 100 >= t.cases * 95);
    sp_ruleset_free(rs);
}
