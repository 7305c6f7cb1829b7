#include "wenming_sqlite.h"

/* Defined by sqlite-nio's SQLite (VaporCSQLite), which the app links; declared here so that this target needs no
   header of another package. 1007 is SQLITE_DBCONFIG_ENABLE_QPSG in sqlite3.h. */
extern int sqlite_nio_sqlite3_db_config(void *db, int op, ...);

int wenming_sqlite_enable_qpsg(void *db) {
    int now = 0;
    return sqlite_nio_sqlite3_db_config(db, 1007, 1, &now);
}
