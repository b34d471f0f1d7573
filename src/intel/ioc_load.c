/* ioc_load.c — loading IOC files and folders: reading (bounded), recognising
 * the format by content (STIX bundle, MISP event / feed manifest, CSV or
 * plain list) and handing the bytes to the right loader. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <jansson.h>

#include "intel/ioc_int.h"

static void set_err(sp_error *err, const char *file, int e, const char *msg)
{
    if (!err) return;
    memset(err, 0, sizeof *err);
    err->offset = UINT64_MAX;
    err->sys_errno = e;
    snprintf(err->file, sizeof err->file, "%s", file ? file : "");
    snprintf(err->msg, sizeof err->msg, "%s", msg);
}

static const char *skip_ws(const char *s, const char *e)
{
    if (e - s >= 3 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB && (unsigned char)s[2] == 0xBF) s += 3;
    while (s < e && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')) s++;
    return s;
}

static int is_manifest(const json_t *root)
{
    if (!json_is_object(root) || !json_object_size(root)) return 0;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)root, k, v) {
        if (!json_is_object(v) || !json_object_get(v, "info")) return 0;
        (void)k;
    }
    return 1;
}

static const char *json_kind(const json_t *root)
{
    if (json_is_object(root)) {
        const char *t = json_string_value(json_object_get(root, "type"));
        if (t && (!strcmp(t, "bundle") || !strcmp(t, "indicator") || !strcmp(t, "observed-data"))) return "stix";
        if (json_is_array(json_object_get(root, "objects"))) return "stix";
        if (json_object_get(root, "Event") || json_is_array(json_object_get(root, "response"))) return "misp";
        if (is_manifest(root)) return "misp-manifest";
        return NULL;
    }
    if (json_is_array(root)) {
        json_t *f = json_array_get(root, 0);
        if (json_is_object(f) && json_object_get(f, "Event")) return "misp";
        if (json_is_object(f) && json_is_string(json_object_get(f, "type")) && json_object_get(f, "id")) return "stix";
    }
    return NULL;
}

static sp_status load_bytes(sp_intel *in, const char *name, const char *dir, const char *data, size_t len,
                            sp_intel_format fmt, sp_error *err)
{
    int64_t t0 = ioc_now_ms();
    const char *p = skip_ws(data, data + len);
    int looks_json = p < data + len && (*p == '{' || *p == '[');
    sp_status st = SP_OK;
    if (fmt == SP_INTEL_CSV || (fmt == SP_INTEL_AUTO && !looks_json)) {
        uint32_t src = ioc_src_new(in, name, "csv");
        if (src == UINT32_MAX) return SP_ERR_NOMEM;
        st = ioc_load_csv(in, src, data, len);
    } else {
        json_error_t je;
        json_t *root = json_loadb(data, len, 0, &je);
        if (!root && fmt == SP_INTEL_AUTO && *p == '[') {
            /* "[::1]" and friends: a list that starts with a bracket */
            uint32_t src = ioc_src_new(in, name, "csv");
            if (src == UINT32_MAX) return SP_ERR_NOMEM;
            st = ioc_load_csv(in, src, data, len);
        } else if (!root) {
            uint32_t src = ioc_src_new(in, name, "unknown");
            if (src == UINT32_MAX) return SP_ERR_NOMEM;
            char m[300];
            snprintf(m, sizeof m, "JSON does not parse: line %d column %d: %s", je.line, je.column, je.text);
            in->srcs[src].pub.error = ioc_strdup(in, m, strlen(m));
            if (!in->srcs[src].pub.error) in->srcs[src].pub.error = "JSON does not parse";
        } else {
            const char *kind = json_kind(root);
            if (fmt == SP_INTEL_STIX) kind = "stix";
            if (fmt == SP_INTEL_MISP && (!kind || strcmp(kind, "misp-manifest"))) kind = "misp";
            uint32_t src = ioc_src_new(in, name, kind ? kind : "unknown");
            if (src == UINT32_MAX) st = SP_ERR_NOMEM;
            else if (!kind)
                in->srcs[src].pub.error = "JSON that is neither a STIX bundle nor a MISP event, event list or feed manifest";
            else if (!strcmp(kind, "stix"))
                st = ioc_load_stix(in, src, root);
            else if (!strcmp(kind, "misp"))
                st = ioc_load_misp(in, src, root);
            else
                st = ioc_load_misp_manifest(in, src, root, dir);
            json_decref(root);
        }
    }
    in->load_ms += (double)(ioc_now_ms() - t0);
    if (st == SP_ERR_NOMEM) set_err(err, name, ENOMEM, "out of memory");
    else if (st == SP_ERR_LIMIT) set_err(err, name, 0, "a limit of the IOC store was reached");
    return st;
}

sp_status sp_intel_load_mem(sp_intel *in, const char *name, const char *data, size_t len, sp_intel_format fmt,
                            sp_error *err)
{
    if (!in || (!data && len)) return SP_ERR_ARG;
    if (in->compiled) {
        set_err(err, name, 0, "the IOC store is compiled: nothing can be added");
        return SP_ERR_ARG;
    }
    if (len > SP_INTEL_MAX_FILE) {
        uint32_t src = ioc_src_new(in, name ? name : "(memory)", "unreadable");
        if (src != UINT32_MAX) in->srcs[src].pub.error = "larger than the IOC file limit";
        return SP_OK;
    }
    return load_bytes(in, name ? name : "(memory)", NULL, data ? data : "", len, fmt, err);
}

static sp_status load_file(sp_intel *in, const char *path, const char *dir, sp_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        uint32_t src = ioc_src_new(in, path, "unreadable");
        if (src != UINT32_MAX) {
            const char *m = strerror(errno);
            in->srcs[src].pub.error = ioc_strdup(in, m, strlen(m));
            if (!in->srcs[src].pub.error) in->srcs[src].pub.error = "cannot open";
        }
        return SP_OK;
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) || (uint64_t)sb.st_size > SP_INTEL_MAX_FILE) {
        fclose(f);
        uint32_t src = ioc_src_new(in, path, "unreadable");
        if (src != UINT32_MAX) in->srcs[src].pub.error = "larger than the IOC file limit (SP_INTEL_MAX_FILE)";
        return SP_OK;
    }
    size_t sz = (size_t)sb.st_size;
    char *buf = malloc(sz + 1);
    if (!buf) {
        fclose(f);
        set_err(err, path, ENOMEM, "out of memory");
        return SP_ERR_NOMEM;
    }
    size_t got = fread(buf, 1, sz, f);
    int rerr = ferror(f);
    fclose(f);
    if (rerr) {
        free(buf);
        uint32_t src = ioc_src_new(in, path, "unreadable");
        if (src != UINT32_MAX) in->srcs[src].pub.error = "read error";
        return SP_OK;
    }
    buf[got] = 0;
    sp_status st = load_bytes(in, path, dir, buf, got, SP_INTEL_AUTO, err);
    free(buf);
    return st;
}

static int name_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static sp_status load_dir(sp_intel *in, const char *path, int depth, sp_error *err)
{
    if (depth > SP_INTEL_MAX_DIR_DEPTH) {
        uint32_t src = ioc_src_new(in, path, "unreadable");
        if (src != UINT32_MAX) in->srcs[src].pub.error = "folder nested too deeply (SP_INTEL_MAX_DIR_DEPTH)";
        return SP_OK;
    }
    DIR *d = opendir(path);
    if (!d) {
        uint32_t src = ioc_src_new(in, path, "unreadable");
        if (src != UINT32_MAX) in->srcs[src].pub.error = "cannot open folder";
        return SP_OK;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int feed = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        if (!strcmp(de->d_name, "manifest.json")) feed = 1;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 32;
            char **nn = realloc(names, nc * sizeof *nn);
            if (!nn) break;
            names = nn;
            cap = nc;
        }
        if (!(names[n] = strdup(de->d_name))) break;
        n++;
    }
    closedir(d);
    if (n > 1) qsort(names, n, sizeof *names, name_cmp);
    sp_status st = SP_OK;
    for (size_t i = 0; i < n && st == SP_OK; i++) {
        size_t pl = strlen(path) + strlen(names[i]) + 2;
        char *full = malloc(pl);
        if (!full) {
            st = SP_ERR_NOMEM;
            break;
        }
        snprintf(full, pl, "%s/%s", path, names[i]);
        struct stat sb;
        if (stat(full, &sb)) {
            uint32_t src = ioc_src_new(in, full, "unreadable");
            if (src != UINT32_MAX) in->srcs[src].pub.error = "cannot stat";
        } else if (S_ISDIR(sb.st_mode)) {
            st = load_dir(in, full, depth + 1, err);
        } else if (S_ISREG(sb.st_mode)) {
            if (feed && !strcmp(names[i], "hashes.csv")) {
                /* MISP feed hash index: the same hashes are in the events */
                uint32_t src = ioc_src_new(in, full, "misp-hashes");
                if (src != UINT32_MAX) in->srcs[src].pub.error = "";
            } else
                st = load_file(in, full, path, err);
        }
        free(full);
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    return st;
}

sp_status sp_intel_load_path(sp_intel *in, const char *path, sp_error *err)
{
    if (!in || !path) return SP_ERR_ARG;
    if (in->compiled) {
        set_err(err, path, 0, "the IOC store is compiled: nothing can be added");
        return SP_ERR_ARG;
    }
    struct stat sb;
    if (stat(path, &sb)) {
        set_err(err, path, errno, strerror(errno));
        return SP_ERR_IO;
    }
    if (S_ISDIR(sb.st_mode)) return load_dir(in, path, 0, err);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = 0;
    else snprintf(dir, sizeof dir, ".");
    return load_file(in, path, dir, err);
}
