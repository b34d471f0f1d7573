/* dirlist.c — see dirlist.h. */
#include "base/dirlist.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* entries carry their type in the byte before the name while sorting */

void sp_dir_list_free(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
}

/* the folder's entries, read with getdents64 straight from its descriptor */
#define DENTS_BUF 32768
typedef struct ent_src { int fd; long len, pos; char *buf; } ent_src;   /* buf: malloc'd, so aligned for the records */
typedef struct ent { const char *name; unsigned char type; } ent;

struct linux_dirent64 { uint64_t d_ino; int64_t d_off; unsigned short d_reclen; unsigned char d_type; char d_name[]; };

/* the next entry: 1, 0 at the end, -1 on error (errno says why) */
static int next_ent(ent_src *s, ent *e)
{
    if (s->pos >= s->len) {
        s->len = syscall(SYS_getdents64, s->fd, s->buf, DENTS_BUF);
        s->pos = 0;
        if (s->len <= 0) return s->len < 0 ? -1 : 0;
    }
    const struct linux_dirent64 *de = (const void *)(s->buf + s->pos);
    s->pos += de->d_reclen;
    e->name = de->d_name;
    e->type = de->d_type;
    return 1;
}

static int list_from(ent_src *src, const char *path, int skip_hidden, char ***out, unsigned char **types, size_t *nout)
{
    char **names = NULL;
    size_t n = 0, cap = 0, pl = strlen(path);
    int rc = 0, k, err = ENOMEM;
    ent ee, *e = &ee;
    while ((k = next_ent(src, e)) > 0) {
        const char *nm = e->name;
        if (nm[0] == '.' && (skip_hidden || !nm[1] || (nm[1] == '.' && !nm[2]))) continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            char **nn = realloc(names, nc * sizeof *nn);
            if (!nn) { rc = -1; break; }
            names = nn;
            cap = nc;
        }
        size_t l = pl + strlen(nm) + 2;
        char *m = malloc(l + 1);
        if (!m) { rc = -1; break; }
        m[0] = (char)(e->type == DT_DIR ? SP_DT_DIR : e->type == DT_REG ? SP_DT_REG : SP_DT_OTHER);
        snprintf(m + 1, l, "%s/%s", path, nm);
        names[n++] = m + 1;
    }
    if (k < 0 && !rc) { rc = -1; err = errno; }   /* a folder that cannot be read to its end */
    unsigned char *t = NULL;
    if (!rc && types && !(t = malloc(n ? n : 1))) rc = -1;
    if (rc) {
        for (size_t i = 0; i < n; i++) free(names[i] - 1);
        free(names);
        errno = err;
        return -1;
    }
    if (n) qsort(names, n, sizeof *names, cmp_name);
    /* hand out plain strings: move each name to its own block's start */
    for (size_t i = 0; i < n; i++) {
        char *m = names[i] - 1;
        if (t) t[i] = (unsigned char)m[0];
        memmove(m, names[i], strlen(names[i]) + 1);
        names[i] = m;
    }
    if (types) *types = t;
    *out = names;
    *nout = n;
    return 0;
}

static int list(const char *path, int skip_hidden, char ***out, unsigned char **types, size_t *nout)
{
    *out = NULL;
    *nout = 0;
    if (types) *types = NULL;
    int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return -1;
    int rc = sp_dir_list_fd(dfd, path, skip_hidden, out, types, nout);
    int en = errno;
    close(dfd);
    errno = en;
    return rc;
}

int sp_dir_list(const char *path, int skip_hidden, char ***out, size_t *nout)
{
    return list(path, skip_hidden, out, NULL, nout);
}

int sp_dir_list_typed(const char *path, int skip_hidden, char ***out, unsigned char **types, size_t *nout)
{
    return list(path, skip_hidden, out, types, nout);
}

int sp_dir_list_fd(int dfd, const char *path, int skip_hidden, char ***out, unsigned char **types, size_t *nout)
{
    *out = NULL;
    *nout = 0;
    if (types) *types = NULL;
    ent_src src = {dfd, 0, 0, malloc(DENTS_BUF)};
    if (!src.buf) { errno = ENOMEM; return -1; }
    int rc = list_from(&src, path, skip_hidden, out, types, nout);
    free(src.buf);
    return rc;
}
