#ifndef WENMING_SQLITE_H
#define WENMING_SQLITE_H

/// Turns on SQLite's query planner stability guarantee (SQLITE_DBCONFIG_ENABLE_QPSG) for one connection; returns
/// SQLite's result code. `sqlite3_db_config` is variadic, which Swift cannot call, hence this C wrapper.
int wenming_sqlite_enable_qpsg(void *db);

#endif
