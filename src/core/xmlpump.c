/*
 * xmlpump.c: the read-parse-resume loop of the streaming spreadsheet readers (see xmlpump.h).
 */
#include "xmlpump.h"

#include "madi/err.h"

#include "banned.h"

int xmlpump_step(struct xmlpump *p)
{
    enum XML_Status st;
    if (p->state == 2)
        return 0;
    if (p->state == 1) {
        st = XML_ResumeParser(p->xp);
    } else {
        zip_int64_t n = zip_fread(p->zf, p->buf, XMLPUMP_CHUNK);
        if (n < 0)
            return MADI_EIO;
        p->final = n == 0;
        st = XML_Parse(p->xp, p->buf, (int)n, p->final);
    }
    if (st == XML_STATUS_SUSPENDED) {
        p->state = 1;
        return 1;
    }
    if (st == XML_STATUS_ERROR)
        return MADI_EPARSE;
    p->state = p->final ? 2 : 0;
    return 1;
}

void xmlpump_close(struct xmlpump *p)
{
    if (p->xp)
        XML_ParserFree(p->xp);
    if (p->zf)
        (void)zip_fclose(p->zf);
    p->xp = NULL;
    p->zf = NULL;
}
