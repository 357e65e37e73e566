/*
 * xmlpump.h (private to libmadi): feeds a zip entry to expat 64 KiB at a time, resuming a parser
 * its handlers suspended (XML_StopParser with resumable = true) at the end of a row. The
 * spreadsheet readers (xlsx.c, ods.c) share it.
 */
#ifndef MADI_XMLPUMP_H
#define MADI_XMLPUMP_H

#include <expat.h>
#include <zip.h>

#define XMLPUMP_CHUNK 65536u

struct xmlpump {
    zip_file_t *zf;
    XML_Parser xp;
    int state; /* 0 needs data, 1 suspended inside buf, 2 at the end */
    int final; /* the last XML_Parse call was the final one */
    char buf[XMLPUMP_CHUNK];
};

/**
 * Run the parser until a handler suspends it or the entry ends. Returns 1 when it moved on (the
 * caller checks whether its handlers completed a row), 0 at the end of the entry, MADI_EIO when
 * the entry cannot be read, MADI_EPARSE when its XML is broken (XML_GetErrorCode says how).
 */
int xmlpump_step(struct xmlpump *p);

/** Free the parser and close the entry; either may be NULL. */
void xmlpump_close(struct xmlpump *p);

#endif
