/*
 * madi_rows.c: a SQLite loadable extension that gives the sqlite3 shell (and any program
 * using libsqlite3) madi's "madi_rows" module, so that the attendance lists, stored in
 * column blocks since schema 010, read as the table eore_attendance again:
 *
 *     sqlite3 -cmd '.load build/madi_rows' madi.db "SELECT count(*) FROM eore_attendance"
 *
 * The module is the one madi registers on its own connections (src/core/rowstore.c): read
 * only, so a write through the shell is refused as it is in madi. SQLite finds the entry point
 * from the file name (madi_rows -> sqlite3_madirows_init). The library links libsqlite3, so
 * it must be loaded by a program that uses the same libsqlite3 (Debian's sqlite3 shell does).
 */
#include <sqlite3.h>

#include "banned.h"
#include "rowstore.h"

int sqlite3_madirows_init(sqlite3 *db, char **errmsg, const void *api);

int sqlite3_madirows_init(sqlite3 *db, char **errmsg, const void *api)
{
    (void)api; /* the calls go straight to the libsqlite3 the loading program uses */
    if (rs_register(db) != MADI_OK) {
        if (errmsg)
            *errmsg = sqlite3_mprintf("madi_rows: cannot register the module");
        return SQLITE_ERROR;
    }
    return SQLITE_OK;
}
