import Foundation
import SQLKit
import WenmingCore

/// The schema as an ordered, append-only list. Never edit a migration that has shipped: add a new one.
/// Each statement is written once, in SQL both engines accept; `{PK}` and `{PATH}` expand per engine.
public enum Migrations {
    public struct Migration: Sendable {
        public let id: String
        public let statements: @Sendable (SQLEngine) -> [String]
    }

    static func expand(_ sql: String, _ engine: SQLEngine) -> String {
        switch engine {
        case .sqlite:
            return sql.replacingOccurrences(of: "{PK}", with: "INTEGER PRIMARY KEY AUTOINCREMENT")
                .replacingOccurrences(of: "{PATH}", with: "TEXT")
        case .postgres:
            // Paths compare byte-wise ("C" collation) so subtree range scans work like in SQLite.
            return sql.replacingOccurrences(of: "{PK}", with: "BIGSERIAL PRIMARY KEY")
                .replacingOccurrences(of: "{PATH}", with: "TEXT COLLATE \"C\"")
        }
    }

    public static let all: [Migration] = [
        Migration(id: "0001_foundation") { engine in
            var s = [
                """
                CREATE TABLE orgs (
                  id {PK},
                  code TEXT NOT NULL UNIQUE,
                  name TEXT NOT NULL,
                  kind TEXT NOT NULL,
                  parent_id BIGINT REFERENCES orgs(id),
                  path {PATH} NOT NULL,
                  depth INTEGER NOT NULL,
                  sector_id BIGINT REFERENCES orgs(id),
                  address TEXT NOT NULL DEFAULT '',
                  contact TEXT NOT NULL DEFAULT '',
                  phone TEXT NOT NULL DEFAULT '',
                  leader_name TEXT NOT NULL DEFAULT '',
                  leader_title TEXT NOT NULL DEFAULT '',
                  duty TEXT NOT NULL DEFAULT '',
                  active INTEGER NOT NULL DEFAULT 1,
                  created_at BIGINT NOT NULL,
                  updated_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX orgs_path ON orgs(path)",
                "CREATE INDEX orgs_parent ON orgs(parent_id, name)",
                "CREATE INDEX orgs_kind ON orgs(kind)",
                "CREATE INDEX orgs_sector ON orgs(sector_id)",
                """
                CREATE TABLE users (
                  id {PK},
                  username TEXT NOT NULL UNIQUE,
                  display_name TEXT NOT NULL,
                  role TEXT NOT NULL,
                  org_id BIGINT NOT NULL REFERENCES orgs(id),
                  phone TEXT NOT NULL DEFAULT '',
                  password_hash TEXT NOT NULL,
                  active INTEGER NOT NULL DEFAULT 1,
                  must_change_password INTEGER NOT NULL DEFAULT 0,
                  created_at BIGINT NOT NULL,
                  updated_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX users_org ON users(org_id)",
                """
                CREATE TABLE sessions (
                  id TEXT PRIMARY KEY,
                  user_id BIGINT NOT NULL REFERENCES users(id),
                  csrf TEXT NOT NULL,
                  created_at BIGINT NOT NULL,
                  expires_at BIGINT NOT NULL,
                  ip TEXT NOT NULL DEFAULT '',
                  user_agent TEXT NOT NULL DEFAULT ''
                )
                """,
                "CREATE INDEX sessions_user ON sessions(user_id)",
                """
                CREATE TABLE api_tokens (
                  id {PK},
                  user_id BIGINT NOT NULL REFERENCES users(id),
                  name TEXT NOT NULL,
                  token_hash TEXT NOT NULL UNIQUE,
                  prefix TEXT NOT NULL,
                  created_at BIGINT NOT NULL,
                  last_used_at BIGINT,
                  revoked_at BIGINT
                )
                """,
                "CREATE INDEX api_tokens_user ON api_tokens(user_id)",
                """
                CREATE TABLE login_attempts (
                  id {PK},
                  username TEXT NOT NULL,
                  ip TEXT NOT NULL,
                  at BIGINT NOT NULL,
                  success INTEGER NOT NULL
                )
                """,
                "CREATE INDEX login_attempts_user ON login_attempts(username, at)",
                "CREATE INDEX login_attempts_ip ON login_attempts(ip, at)",
                """
                CREATE TABLE audit_log (
                  id {PK},
                  at BIGINT NOT NULL,
                  actor_id BIGINT,
                  actor_name TEXT NOT NULL,
                  action TEXT NOT NULL,
                  entity TEXT NOT NULL,
                  entity_id BIGINT,
                  summary TEXT NOT NULL,
                  before_json TEXT,
                  after_json TEXT,
                  ip TEXT NOT NULL DEFAULT '',
                  scope_path {PATH} NOT NULL
                )
                """,
                "CREATE INDEX audit_scope ON audit_log(scope_path, at)",
                "CREATE INDEX audit_entity ON audit_log(entity, entity_id)",
                "CREATE INDEX audit_actor ON audit_log(actor_id, at)",
                """
                CREATE TABLE group_members (
                  id {PK},
                  group_id BIGINT NOT NULL REFERENCES orgs(id),
                  member_id BIGINT NOT NULL REFERENCES orgs(id),
                  is_lead INTEGER NOT NULL DEFAULT 0,
                  created_at BIGINT NOT NULL,
                  UNIQUE (group_id, member_id)
                )
                """,
                "CREATE INDEX group_members_member ON group_members(member_id)",
                """
                CREATE TABLE adoptions (
                  id {PK},
                  unit_id BIGINT NOT NULL REFERENCES orgs(id),
                  kind TEXT NOT NULL,
                  target_id BIGINT REFERENCES orgs(id),
                  target_name TEXT NOT NULL,
                  active INTEGER NOT NULL DEFAULT 1,
                  created_at BIGINT NOT NULL,
                  ended_at BIGINT
                )
                """,
                "CREATE INDEX adoptions_unit ON adoptions(unit_id)",
                "CREATE INDEX adoptions_target ON adoptions(target_id)",
                """
                CREATE TABLE settings (
                  key TEXT PRIMARY KEY,
                  value TEXT NOT NULL,
                  updated_at BIGINT NOT NULL
                )
                """,
            ]
            // The audit log is append-only: the database itself refuses updates and deletes.
            switch engine {
            case .sqlite:
                s += [
                    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
                    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
                ]
            case .postgres:
                s += [
                    """
                    CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$
                    """,
                    "CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
                ]
            }
            return s.map { expand($0, engine) }
        },
        Migration(id: "0002_evaluation_responsibility") { engine in
            var s = [
                """
                CREATE TABLE point_categories (
                  id {PK}, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL UNIQUE,
                  check_records INTEGER NOT NULL DEFAULT 0, active INTEGER NOT NULL DEFAULT 1, created_at BIGINT NOT NULL
                )
                """,
                """
                CREATE TABLE campaigns (
                  id {PK}, name TEXT NOT NULL, start_date TEXT NOT NULL, end_date TEXT NOT NULL, notes TEXT NOT NULL DEFAULT '',
                  created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL
                )
                """,
                """
                CREATE TABLE campaign_phases (
                  id {PK}, campaign_id BIGINT NOT NULL REFERENCES campaigns(id), phase TEXT NOT NULL,
                  start_date TEXT NOT NULL DEFAULT '', end_date TEXT NOT NULL DEFAULT '', UNIQUE (campaign_id, phase)
                )
                """,
                """
                CREATE TABLE index_systems (
                  id {PK}, code TEXT NOT NULL, name TEXT NOT NULL, edition TEXT NOT NULL,
                  total_score BIGINT, prerequisite_threshold BIGINT, weight_percent INTEGER,
                  is_sample INTEGER NOT NULL DEFAULT 0, predecessor_id BIGINT REFERENCES index_systems(id),
                  active INTEGER NOT NULL DEFAULT 1, created_at BIGINT NOT NULL, UNIQUE (code, edition)
                )
                """,
                """
                CREATE TABLE campaign_systems (
                  campaign_id BIGINT NOT NULL REFERENCES campaigns(id), system_id BIGINT NOT NULL REFERENCES index_systems(id),
                  PRIMARY KEY (campaign_id, system_id)
                )
                """,
                """
                CREATE TABLE index_nodes (
                  id {PK}, system_id BIGINT NOT NULL REFERENCES index_systems(id), parent_id BIGINT REFERENCES index_nodes(id),
                  level INTEGER NOT NULL, code TEXT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL DEFAULT '',
                  score BIGINT NOT NULL, methods TEXT NOT NULL DEFAULT '', categories TEXT NOT NULL DEFAULT '',
                  nature TEXT NOT NULL DEFAULT '', sort INTEGER NOT NULL, UNIQUE (system_id, code)
                )
                """,
                "CREATE INDEX index_nodes_parent ON index_nodes(parent_id)",
                "CREATE INDEX index_nodes_system ON index_nodes(system_id, sort)",
                """
                CREATE TABLE negative_items (
                  id {PK}, area_code TEXT NOT NULL, area_name TEXT NOT NULL, code TEXT NOT NULL UNIQUE, title TEXT NOT NULL,
                  penalty TEXT NOT NULL, points BIGINT, months INTEGER, veto INTEGER NOT NULL DEFAULT 0,
                  is_sample INTEGER NOT NULL DEFAULT 0, active INTEGER NOT NULL DEFAULT 1, created_at BIGINT NOT NULL
                )
                """,
                """
                CREATE TABLE negative_incidents (
                  id {PK}, item_id BIGINT NOT NULL REFERENCES negative_items(id), org_id BIGINT NOT NULL REFERENCES orgs(id),
                  occurred_on TEXT NOT NULL, description TEXT NOT NULL, evidence TEXT NOT NULL DEFAULT '',
                  status TEXT NOT NULL DEFAULT 'active', withdrawn_reason TEXT NOT NULL DEFAULT '',
                  created_by BIGINT, created_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX negative_incidents_org ON negative_incidents(org_id, occurred_on)",
                """
                CREATE TABLE assignments (
                  id {PK}, node_id BIGINT NOT NULL REFERENCES index_nodes(id), org_id BIGINT NOT NULL REFERENCES orgs(id),
                  role TEXT NOT NULL, person TEXT NOT NULL DEFAULT '', deadline TEXT NOT NULL DEFAULT '',
                  status TEXT NOT NULL, assigned_at BIGINT NOT NULL, claimed_at BIGINT, completed_at BIGINT,
                  updated_at BIGINT NOT NULL, UNIQUE (node_id, org_id)
                )
                """,
                "CREATE INDEX assignments_org ON assignments(org_id, status)",
                """
                CREATE TABLE assignment_events (
                  id {PK}, assignment_id BIGINT NOT NULL REFERENCES assignments(id), at BIGINT NOT NULL,
                  actor_id BIGINT, actor_name TEXT NOT NULL, action TEXT NOT NULL, from_status TEXT NOT NULL,
                  to_status TEXT NOT NULL, reason TEXT NOT NULL DEFAULT ''
                )
                """,
                "CREATE INDEX assignment_events_a ON assignment_events(assignment_id, id)",
                """
                CREATE TABLE milestones (
                  id {PK}, assignment_id BIGINT NOT NULL REFERENCES assignments(id), title TEXT NOT NULL,
                  due_date TEXT NOT NULL, done_on TEXT, created_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX milestones_a ON milestones(assignment_id)",
                """
                CREATE TABLE progress_reports (
                  id {PK}, assignment_id BIGINT NOT NULL REFERENCES assignments(id), period TEXT NOT NULL, body TEXT NOT NULL,
                  submitted_at BIGINT NOT NULL, submitted_by BIGINT, UNIQUE (assignment_id, period)
                )
                """,
                """
                CREATE TABLE attachments (
                  id {PK}, owner_kind TEXT NOT NULL, owner_id BIGINT NOT NULL, org_id BIGINT NOT NULL REFERENCES orgs(id),
                  filename TEXT NOT NULL, content_type TEXT NOT NULL, size BIGINT NOT NULL, sha256 TEXT NOT NULL,
                  stored_path TEXT NOT NULL, uploaded_by BIGINT, created_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX attachments_owner ON attachments(owner_kind, owner_id)",
            ]
            for (i, c) in PointCategories.defaults.enumerated() {
                s.append("INSERT INTO point_categories (code, name, check_records, active, created_at) VALUES ('\(c.code)', '\(c.name)', \([20, 12, 21, 6].contains(i) ? 1 : 0), 1, 0)")
            }
            return s.map { expand($0, engine) }
        },
        Migration(id: "0003_assignment_events_append_only") { engine in
            switch engine {
            case .sqlite:
                [
                    "CREATE TRIGGER assignment_events_no_update BEFORE UPDATE ON assignment_events BEGIN SELECT RAISE(ABORT, 'assignment_events is append-only'); END",
                    "CREATE TRIGGER assignment_events_no_delete BEFORE DELETE ON assignment_events BEGIN SELECT RAISE(ABORT, 'assignment_events is append-only'); END",
                ]
            case .postgres:
                ["CREATE TRIGGER assignment_events_append_only BEFORE UPDATE OR DELETE ON assignment_events FOR EACH ROW EXECUTE FUNCTION audit_append_only()"]
            }
        },
        Migration(id: "0004_cases") { engine in
            var s = [
                """
                CREATE TABLE case_types (
                  code TEXT PRIMARY KEY, name TEXT NOT NULL, department_code TEXT NOT NULL DEFAULT '',
                  rule TEXT NOT NULL, urgent_rule TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1, sort INTEGER NOT NULL DEFAULT 0
                )
                """,
                "CREATE TABLE holidays (day TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL DEFAULT '')",
                "CREATE TABLE sequences (name TEXT PRIMARY KEY, last BIGINT NOT NULL)",
                """
                CREATE TABLE cases (
                  id {PK}, number TEXT NOT NULL UNIQUE, source TEXT NOT NULL, type_code TEXT NOT NULL REFERENCES case_types(code),
                  description TEXT NOT NULL, address TEXT NOT NULL DEFAULT '', lat_e6 BIGINT, lng_e6 BIGINT,
                  territory_id BIGINT NOT NULL REFERENCES orgs(id), territory_path {PATH} NOT NULL,
                  unit_id BIGINT REFERENCES orgs(id), unit_path {PATH}, route_via TEXT NOT NULL DEFAULT '',
                  standard_id BIGINT REFERENCES index_nodes(id), point_id BIGINT,
                  urgency TEXT NOT NULL, rule TEXT NOT NULL, state TEXT NOT NULL,
                  reporter_id BIGINT REFERENCES users(id), reporter_name TEXT NOT NULL DEFAULT '',
                  reported_at BIGINT NOT NULL, dispatch_due_at BIGINT, registered_at BIGINT, dispatched_at BIGINT, deadline_at BIGINT,
                  fed_back_at BIGINT, closed_at BIGINT, paused_at BIGINT, paused_seconds BIGINT NOT NULL DEFAULT 0,
                  was_deferred INTEGER NOT NULL DEFAULT 0, rework_count INTEGER NOT NULL DEFAULT 0, closed_on_time INTEGER,
                  escalation INTEGER NOT NULL DEFAULT 0, updated_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX cases_unit_state ON cases(unit_id, state, deadline_at)",
                "CREATE INDEX cases_state_territory ON cases(state, territory_path)",
                // Open cases newest first with their territory: the ledger's 未办结 pages read it in id order and stop at a page.
                "CREATE INDEX cases_open ON cases(id, territory_path) WHERE state IN (\(CaseService.sqlList(CaseService.openStates)))",
                "CREATE INDEX cases_state_deadline ON cases(state, deadline_at)",
                "CREATE INDEX cases_territory ON cases(territory_path, id)",
                "CREATE INDEX cases_unit_path ON cases(unit_path, id)",
                "CREATE INDEX cases_reported ON cases(reported_at)",
                "CREATE INDEX cases_dispatched ON cases(dispatched_at)",
                "CREATE INDEX cases_reporter ON cases(reporter_id, id)",
                """
                CREATE TABLE case_pauses (
                  id {PK}, case_id BIGINT NOT NULL REFERENCES cases(id), started_at BIGINT NOT NULL, ended_at BIGINT
                )
                """,
                "CREATE INDEX case_pauses_case ON case_pauses(case_id)",
                """
                CREATE TABLE case_events (
                  id {PK}, case_id BIGINT NOT NULL REFERENCES cases(id), at BIGINT NOT NULL, actor_id BIGINT, actor_name TEXT NOT NULL,
                  action TEXT NOT NULL, from_state TEXT NOT NULL, to_state TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '',
                  unit_id BIGINT, ip TEXT NOT NULL DEFAULT ''
                )
                """,
                "CREATE INDEX case_events_case ON case_events(case_id, id)",
                """
                CREATE TABLE case_counts (
                  territory_id BIGINT NOT NULL, unit_id BIGINT NOT NULL, state TEXT NOT NULL,
                  territory_path {PATH} NOT NULL, unit_path {PATH} NOT NULL, n BIGINT NOT NULL,
                  PRIMARY KEY (territory_id, unit_id, state)
                )
                """,
                """
                CREATE TABLE supervision_notices (
                  id {PK}, number TEXT NOT NULL UNIQUE, case_id BIGINT NOT NULL REFERENCES cases(id), unit_id BIGINT NOT NULL REFERENCES orgs(id),
                  unit_path {PATH} NOT NULL, level INTEGER NOT NULL, overdue_minutes BIGINT NOT NULL, issued_at BIGINT NOT NULL,
                  summons_id BIGINT
                )
                """,
                "CREATE INDEX notices_case ON supervision_notices(case_id, level)",
                "CREATE INDEX notices_unit ON supervision_notices(unit_id, id)",
                "CREATE INDEX notices_issued ON supervision_notices(issued_at)",
                """
                CREATE TABLE summonses (
                  id {PK}, unit_id BIGINT NOT NULL REFERENCES orgs(id), unit_path {PATH} NOT NULL, head_name TEXT NOT NULL,
                  reason TEXT NOT NULL, issued_at BIGINT NOT NULL, held_at BIGINT, note TEXT NOT NULL DEFAULT ''
                )
                """,
                "CREATE INDEX summonses_unit ON summonses(unit_id)",
                """
                CREATE TABLE black_plaques (
                  period TEXT PRIMARY KEY, unit_id BIGINT NOT NULL REFERENCES orgs(id), reds INTEGER NOT NULL, yellows INTEGER NOT NULL,
                  whites INTEGER NOT NULL, overdue_open INTEGER NOT NULL, decided_at BIGINT NOT NULL, decided_by BIGINT
                )
                """,
                "ALTER TABLE attachments ADD COLUMN phase TEXT NOT NULL DEFAULT ''",
            ]
            // case_counts follows every insert and every change of state or unit, whatever code path made it.
            switch engine {
            case .sqlite:
                s += [
                    """
                    CREATE TRIGGER cases_count_insert AFTER INSERT ON cases BEGIN
                      INSERT INTO case_counts (territory_id, unit_id, state, territory_path, unit_path, n)
                      VALUES (NEW.territory_id, COALESCE(NEW.unit_id, 0), NEW.state, NEW.territory_path, COALESCE(NEW.unit_path, ''), 1)
                      ON CONFLICT (territory_id, unit_id, state) DO UPDATE SET n = n + 1;
                    END
                    """,
                    """
                    CREATE TRIGGER cases_count_update AFTER UPDATE OF state, unit_id ON cases
                    WHEN OLD.state IS NOT NEW.state OR OLD.unit_id IS NOT NEW.unit_id BEGIN
                      UPDATE case_counts SET n = n - 1 WHERE territory_id = OLD.territory_id AND unit_id = COALESCE(OLD.unit_id, 0) AND state = OLD.state;
                      INSERT INTO case_counts (territory_id, unit_id, state, territory_path, unit_path, n)
                      VALUES (NEW.territory_id, COALESCE(NEW.unit_id, 0), NEW.state, NEW.territory_path, COALESCE(NEW.unit_path, ''), 1)
                      ON CONFLICT (territory_id, unit_id, state) DO UPDATE SET n = n + 1;
                    END
                    """,
                    "CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END",
                    "CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END",
                    "CREATE TRIGGER black_plaques_no_update BEFORE UPDATE ON black_plaques BEGIN SELECT RAISE(ABORT, 'black_plaques is append-only'); END",
                ]
            case .postgres:
                s += [
                    """
                    CREATE FUNCTION cases_count() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                      IF TG_OP = 'UPDATE' THEN
                        IF OLD.state IS NOT DISTINCT FROM NEW.state AND OLD.unit_id IS NOT DISTINCT FROM NEW.unit_id THEN RETURN NEW; END IF;
                        UPDATE case_counts SET n = n - 1 WHERE territory_id = OLD.territory_id AND unit_id = COALESCE(OLD.unit_id, 0) AND state = OLD.state;
                      END IF;
                      INSERT INTO case_counts (territory_id, unit_id, state, territory_path, unit_path, n)
                      VALUES (NEW.territory_id, COALESCE(NEW.unit_id, 0), NEW.state, NEW.territory_path, COALESCE(NEW.unit_path, ''), 1)
                      ON CONFLICT (territory_id, unit_id, state) DO UPDATE SET n = case_counts.n + 1;
                      RETURN NEW;
                    END $$
                    """,
                    "CREATE TRIGGER cases_count AFTER INSERT OR UPDATE OF state, unit_id ON cases FOR EACH ROW EXECUTE FUNCTION cases_count()",
                    "CREATE TRIGGER case_events_append_only BEFORE UPDATE OR DELETE ON case_events FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
                    "CREATE TRIGGER black_plaques_append_only BEFORE UPDATE OR DELETE ON black_plaques FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
                ]
            }
            for (i, t) in CaseTaxonomy.defaults.enumerated() {
                func q(_ v: String) -> String { "'" + v.replacingOccurrences(of: "'", with: "''") + "'" }
                s.append("INSERT INTO case_types (code, name, department_code, rule, urgent_rule, active, sort) VALUES (\(q(t.code)), \(q(t.name)), \(q(t.departmentCode)), \(q(t.rule.code)), \(q(t.urgentRule.code)), 1, \(i + 1))")
            }
            return s.map { expand($0, engine) }
        },
        Migration(id: "0005_points_draws_rounds") { engine in
            var s = [
                """
                CREATE TABLE points (
                  id {PK}, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL, category_id BIGINT NOT NULL REFERENCES point_categories(id),
                  address TEXT NOT NULL DEFAULT '', lat_e6 BIGINT, lng_e6 BIGINT,
                  territory_id BIGINT NOT NULL REFERENCES orgs(id), territory_path {PATH} NOT NULL, district_id BIGINT REFERENCES orgs(id),
                  adopter_id BIGINT REFERENCES orgs(id), declared INTEGER NOT NULL DEFAULT 1, active INTEGER NOT NULL DEFAULT 1,
                  created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX points_territory ON points(territory_path, id)",
                "CREATE INDEX points_category ON points(category_id)",
                "CREATE INDEX points_adopter ON points(adopter_id)",
                """
                CREATE TABLE point_history (
                  id {PK}, point_id BIGINT NOT NULL REFERENCES points(id), at BIGINT NOT NULL, actor_id BIGINT, actor_name TEXT NOT NULL,
                  change TEXT NOT NULL
                )
                """,
                "CREATE INDEX point_history_point ON point_history(point_id, id)",
                """
                CREATE TABLE draws (
                  id {PK}, name TEXT NOT NULL, scope_id BIGINT NOT NULL REFERENCES orgs(id), scope_path {PATH} NOT NULL,
                  algorithm TEXT NOT NULL, spec TEXT NOT NULL, list_size INTEGER NOT NULL, list_digest TEXT NOT NULL,
                  commitment TEXT NOT NULL, seed TEXT NOT NULL, status TEXT NOT NULL, scheduled_at BIGINT NOT NULL,
                  created_by BIGINT REFERENCES users(id), created_by_name TEXT NOT NULL, created_at BIGINT NOT NULL,
                  ran_at BIGINT, result_digest TEXT, pick_count INTEGER
                )
                """,
                "CREATE INDEX draws_due ON draws(status, scheduled_at)",
                """
                CREATE TABLE draw_entries (
                  draw_id BIGINT NOT NULL REFERENCES draws(id), ord INTEGER NOT NULL, point_id BIGINT NOT NULL REFERENCES points(id),
                  code TEXT NOT NULL, category TEXT NOT NULL, district TEXT NOT NULL, PRIMARY KEY (draw_id, ord)
                )
                """,
                """
                CREATE TABLE draw_picks (
                  draw_id BIGINT NOT NULL REFERENCES draws(id), ord INTEGER NOT NULL, kind TEXT NOT NULL, category TEXT NOT NULL,
                  district TEXT NOT NULL, code TEXT NOT NULL, point_id BIGINT NOT NULL REFERENCES points(id), PRIMARY KEY (draw_id, ord)
                )
                """,
                """
                CREATE TABLE rounds (
                  id {PK}, name TEXT NOT NULL, kind TEXT NOT NULL, scope_id BIGINT NOT NULL REFERENCES orgs(id), scope_path {PATH} NOT NULL,
                  start_date TEXT NOT NULL, end_date TEXT NOT NULL, draw_id BIGINT REFERENCES draws(id), status TEXT NOT NULL,
                  notes TEXT NOT NULL DEFAULT '', created_by BIGINT REFERENCES users(id), created_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX rounds_scope ON rounds(scope_path, id)",
                "CREATE TABLE round_members (round_id BIGINT NOT NULL REFERENCES rounds(id), user_id BIGINT NOT NULL REFERENCES users(id), PRIMARY KEY (round_id, user_id))",
                "CREATE TABLE round_points (round_id BIGINT NOT NULL REFERENCES rounds(id), point_id BIGINT NOT NULL REFERENCES points(id), via TEXT NOT NULL, PRIMARY KEY (round_id, point_id))",
                """
                CREATE TABLE visits (
                  id {PK}, round_id BIGINT NOT NULL REFERENCES rounds(id), point_id BIGINT NOT NULL REFERENCES points(id),
                  inspector_id BIGINT REFERENCES users(id), inspector_name TEXT NOT NULL, visited_at BIGINT NOT NULL,
                  lat_e6 BIGINT, lng_e6 BIGINT, notes TEXT NOT NULL DEFAULT '', records_ok INTEGER,
                  full_h BIGINT NOT NULL, lost_h BIGINT NOT NULL, UNIQUE (round_id, point_id)
                )
                """,
                """
                CREATE TABLE visit_items (
                  id {PK}, visit_id BIGINT NOT NULL REFERENCES visits(id), round_id BIGINT NOT NULL, point_id BIGINT NOT NULL,
                  standard_id BIGINT NOT NULL REFERENCES index_nodes(id), verdict TEXT NOT NULL, full_h BIGINT NOT NULL, lost_h BIGINT NOT NULL,
                  note TEXT NOT NULL DEFAULT '', unit_id BIGINT REFERENCES orgs(id), case_id BIGINT REFERENCES cases(id)
                )
                """,
                "CREATE INDEX visit_items_round ON visit_items(round_id)",
                """
                CREATE TABLE impressions (
                  round_id BIGINT NOT NULL REFERENCES rounds(id), user_id BIGINT NOT NULL REFERENCES users(id), aspect TEXT NOT NULL,
                  score INTEGER NOT NULL, at BIGINT NOT NULL, PRIMARY KEY (round_id, user_id, aspect)
                )
                """,
                "CREATE INDEX cases_point ON cases(point_id) WHERE point_id IS NOT NULL",
            ]
            // A draw's frozen list, commitment, seed and spec never change; it runs once (scheduled → done) or is
            // cancelled before it runs; its list and picks are append-only.
            let frozen = "NEW.seed = OLD.seed AND NEW.commitment = OLD.commitment AND NEW.list_digest = OLD.list_digest AND NEW.spec = OLD.spec AND NEW.scheduled_at = OLD.scheduled_at AND NEW.scope_path = OLD.scope_path AND NEW.list_size = OLD.list_size"
            switch engine {
            case .sqlite:
                s += [
                    "CREATE TRIGGER draws_guard BEFORE UPDATE ON draws WHEN NOT (OLD.status = 'scheduled' AND NEW.status IN ('done', 'cancelled') AND \(frozen)) BEGIN SELECT RAISE(ABORT, 'a draw cannot be altered or re-run'); END",
                    "CREATE TRIGGER draws_no_delete BEFORE DELETE ON draws BEGIN SELECT RAISE(ABORT, 'draws are kept'); END",
                ]
                for t in ["draw_entries", "draw_picks", "point_history"] {
                    s += [
                        "CREATE TRIGGER \(t)_no_update BEFORE UPDATE ON \(t) BEGIN SELECT RAISE(ABORT, '\(t) is append-only'); END",
                        "CREATE TRIGGER \(t)_no_delete BEFORE DELETE ON \(t) BEGIN SELECT RAISE(ABORT, '\(t) is append-only'); END",
                    ]
                }
            case .postgres:
                s += [
                    """
                    CREATE FUNCTION draws_guard() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                      IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'draws are kept'; END IF;
                      IF NOT (OLD.status = 'scheduled' AND NEW.status IN ('done', 'cancelled') AND \(frozen)) THEN
                        RAISE EXCEPTION 'a draw cannot be altered or re-run';
                      END IF;
                      RETURN NEW;
                    END $$
                    """,
                    "CREATE TRIGGER draws_guard BEFORE UPDATE OR DELETE ON draws FOR EACH ROW EXECUTE FUNCTION draws_guard()",
                ]
                for t in ["draw_entries", "draw_picks", "point_history"] {
                    s.append("CREATE TRIGGER \(t)_append_only BEFORE UPDATE OR DELETE ON \(t) FOR EACH ROW EXECUTE FUNCTION audit_append_only()")
                }
            }
            return s.map { expand($0, engine) }
        },
        Migration(id: "0006_scores_notices") { engine in
            var s = [
                """
                CREATE TABLE scoring_schemes (
                  version INTEGER PRIMARY KEY, config TEXT NOT NULL, note TEXT NOT NULL DEFAULT '', created_by BIGINT, created_by_name TEXT NOT NULL,
                  created_at BIGINT NOT NULL
                )
                """,
                "INSERT INTO scoring_schemes (version, config, note, created_by_name, created_at) VALUES (1, '\(ScoringScheme.standard.json)', '默认方案', '系统', 0)",
                """
                CREATE TABLE score_runs (
                  id {PK}, period TEXT NOT NULL, scheme_version INTEGER NOT NULL REFERENCES scoring_schemes(version), status TEXT NOT NULL,
                  version INTEGER, inputs TEXT NOT NULL, computed_at BIGINT NOT NULL, took_ms INTEGER NOT NULL,
                  published_at BIGINT, published_by BIGINT, published_by_name TEXT, note TEXT NOT NULL DEFAULT ''
                )
                """,
                "CREATE UNIQUE INDEX score_runs_version ON score_runs(period, version)",
                "CREATE INDEX score_runs_period ON score_runs(period, status, id)",
                """
                CREATE TABLE scores (
                  run_id BIGINT NOT NULL REFERENCES score_runs(id), org_id BIGINT NOT NULL REFERENCES orgs(id), level TEXT NOT NULL,
                  org_path {PATH} NOT NULL, total_h BIGINT, rank INTEGER, peers INTEGER NOT NULL, card TEXT NOT NULL DEFAULT '',
                  eligible INTEGER NOT NULL, lost_h BIGINT NOT NULL DEFAULT 0, due INTEGER NOT NULL DEFAULT 0, on_time INTEGER NOT NULL DEFAULT 0,
                  deferred INTEGER NOT NULL DEFAULT 0, late INTEGER NOT NULL DEFAULT 0, detail TEXT NOT NULL, PRIMARY KEY (run_id, org_id)
                )
                """,
                "CREATE INDEX scores_level ON scores(run_id, level, org_path)",
                "CREATE INDEX scores_org ON scores(org_id, run_id)",
                "CREATE INDEX rounds_start ON rounds(start_date)",
                "CREATE INDEX cases_deadline ON cases(deadline_at)",
                // The dashboard's overdue and due-soon counts read only this small covering index of cases on the clock.
                "CREATE INDEX cases_clock ON cases(deadline_at, state, territory_path, unit_path) WHERE state IN (\(CaseService.sqlList(CaseService.clockStates)))",
                """
                CREATE TABLE notices (
                  id {PK}, number TEXT UNIQUE, kind TEXT NOT NULL, period TEXT NOT NULL, scope_id BIGINT NOT NULL REFERENCES orgs(id),
                  scope_path {PATH} NOT NULL, round_id BIGINT REFERENCES rounds(id), title TEXT NOT NULL, body TEXT NOT NULL, issuer TEXT NOT NULL,
                  status TEXT NOT NULL, created_by BIGINT, created_by_name TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
                  issued_at BIGINT, issued_by BIGINT, issued_by_name TEXT
                )
                """,
                "CREATE INDEX notices_scope ON notices(scope_path, id)",
                """
                CREATE TABLE notice_units (
                  notice_id BIGINT NOT NULL REFERENCES notices(id), org_id BIGINT NOT NULL REFERENCES orgs(id), org_path {PATH} NOT NULL,
                  reason TEXT NOT NULL, PRIMARY KEY (notice_id, org_id)
                )
                """,
                "CREATE INDEX notice_units_org ON notice_units(org_path, notice_id)",
                "CREATE TABLE notice_reads (notice_id BIGINT NOT NULL REFERENCES notices(id), user_id BIGINT NOT NULL REFERENCES users(id), read_at BIGINT NOT NULL, PRIMARY KEY (notice_id, user_id))",
            ]
            // Published scores, issued notices and scheme versions are frozen: corrections are new versions, never edits.
            switch engine {
            case .sqlite:
                s += [
                    "CREATE TRIGGER score_runs_frozen BEFORE UPDATE ON score_runs WHEN OLD.status = 'published' BEGIN SELECT RAISE(ABORT, 'published scores are frozen'); END",
                    "CREATE TRIGGER score_runs_kept BEFORE DELETE ON score_runs WHEN OLD.status = 'published' BEGIN SELECT RAISE(ABORT, 'published scores are frozen'); END",
                    "CREATE TRIGGER scores_no_update BEFORE UPDATE ON scores BEGIN SELECT RAISE(ABORT, 'scores are replaced, not edited'); END",
                    "CREATE TRIGGER scores_kept BEFORE DELETE ON scores WHEN (SELECT status FROM score_runs WHERE id = OLD.run_id) = 'published' BEGIN SELECT RAISE(ABORT, 'published scores are frozen'); END",
                    "CREATE TRIGGER scores_frozen_insert BEFORE INSERT ON scores WHEN (SELECT status FROM score_runs WHERE id = NEW.run_id) = 'published' BEGIN SELECT RAISE(ABORT, 'published scores are frozen'); END",
                    "CREATE TRIGGER notices_frozen BEFORE UPDATE ON notices WHEN OLD.status = 'issued' BEGIN SELECT RAISE(ABORT, 'an issued notice is frozen'); END",
                    "CREATE TRIGGER notices_kept BEFORE DELETE ON notices WHEN OLD.status = 'issued' BEGIN SELECT RAISE(ABORT, 'an issued notice is frozen'); END",
                    "CREATE TRIGGER notice_units_frozen_insert BEFORE INSERT ON notice_units WHEN (SELECT status FROM notices WHERE id = NEW.notice_id) = 'issued' BEGIN SELECT RAISE(ABORT, 'an issued notice is frozen'); END",
                    "CREATE TRIGGER notice_units_frozen_delete BEFORE DELETE ON notice_units WHEN (SELECT status FROM notices WHERE id = OLD.notice_id) = 'issued' BEGIN SELECT RAISE(ABORT, 'an issued notice is frozen'); END",
                    // Only the path copy follows an org move; what a notice says about a unit is not edited.
                    "CREATE TRIGGER notice_units_no_update BEFORE UPDATE ON notice_units WHEN NEW.notice_id <> OLD.notice_id OR NEW.org_id <> OLD.org_id OR NEW.reason <> OLD.reason BEGIN SELECT RAISE(ABORT, 'notice units are replaced, not edited'); END",
                    "CREATE TRIGGER scoring_schemes_no_update BEFORE UPDATE ON scoring_schemes BEGIN SELECT RAISE(ABORT, 'a scheme version is kept as written'); END",
                    "CREATE TRIGGER scoring_schemes_no_delete BEFORE DELETE ON scoring_schemes BEGIN SELECT RAISE(ABORT, 'a scheme version is kept as written'); END",
                ]
            case .postgres:
                s += [
                    """
                    CREATE FUNCTION frozen_rows() RETURNS trigger LANGUAGE plpgsql AS $$
                    DECLARE st TEXT;
                    BEGIN
                      IF TG_TABLE_NAME = 'score_runs' THEN
                        IF OLD.status = 'published' THEN RAISE EXCEPTION 'published scores are frozen'; END IF;
                      ELSIF TG_TABLE_NAME = 'scores' THEN
                        IF TG_OP = 'UPDATE' THEN RAISE EXCEPTION 'scores are replaced, not edited'; END IF;
                        SELECT status INTO st FROM score_runs WHERE id = (CASE WHEN TG_OP = 'INSERT' THEN NEW.run_id ELSE OLD.run_id END);
                        IF st = 'published' THEN RAISE EXCEPTION 'published scores are frozen'; END IF;
                      ELSIF TG_TABLE_NAME = 'notices' THEN
                        IF OLD.status = 'issued' THEN RAISE EXCEPTION 'an issued notice is frozen'; END IF;
                      ELSIF TG_TABLE_NAME = 'notice_units' THEN
                        IF TG_OP = 'UPDATE' THEN
                          IF NEW.notice_id = OLD.notice_id AND NEW.org_id = OLD.org_id AND NEW.reason = OLD.reason THEN RETURN NEW; END IF;
                          RAISE EXCEPTION 'notice units are replaced, not edited';
                        END IF;
                        SELECT status INTO st FROM notices WHERE id = (CASE WHEN TG_OP = 'INSERT' THEN NEW.notice_id ELSE OLD.notice_id END);
                        IF st = 'issued' THEN RAISE EXCEPTION 'an issued notice is frozen'; END IF;
                      ELSE
                        RAISE EXCEPTION 'a scheme version is kept as written';
                      END IF;
                      IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
                      RETURN NEW;
                    END $$
                    """,
                    "CREATE TRIGGER score_runs_frozen BEFORE UPDATE OR DELETE ON score_runs FOR EACH ROW EXECUTE FUNCTION frozen_rows()",
                    "CREATE TRIGGER scores_frozen BEFORE INSERT OR UPDATE OR DELETE ON scores FOR EACH ROW EXECUTE FUNCTION frozen_rows()",
                    "CREATE TRIGGER notices_frozen BEFORE UPDATE OR DELETE ON notices FOR EACH ROW EXECUTE FUNCTION frozen_rows()",
                    "CREATE TRIGGER notice_units_frozen BEFORE INSERT OR UPDATE OR DELETE ON notice_units FOR EACH ROW EXECUTE FUNCTION frozen_rows()",
                    "CREATE TRIGGER scoring_schemes_kept BEFORE UPDATE OR DELETE ON scoring_schemes FOR EACH ROW EXECUTE FUNCTION frozen_rows()",
                ]
            }
            return s.map { expand($0, engine) }
        },
        // Indexes for a period's scores over a million cases (docs/design/scoring.md, "Speed").
        Migration(id: "0007_score_indexes") { engine in
            [
                // 应结案 per territory and unit: read from the index alone. On SQLite its order is the GROUP BY's, so a
                // year needs no sort; PostgreSQL hash-aggregates a range of the dispatch time instead.
                engine == .sqlite
                    ? "CREATE INDEX cases_rect ON cases(territory_id, unit_id, dispatched_at, state, closed_on_time)"
                    : "CREATE INDEX cases_rect ON cases(dispatched_at, territory_id, unit_id, state, closed_on_time)",
                // Cases closed late, by deadline: a small partial index instead of every closed case of the period.
                "CREATE INDEX cases_late ON cases(state, closed_on_time, deadline_at) WHERE state = 'closed' AND closed_on_time = 0",
            ] + (engine == .postgres ? [
                // A year's explanations are ~30 MB of JSON: lz4 compresses them several times faster than the default pglz.
                "ALTER TABLE scores ALTER COLUMN detail SET COMPRESSION lz4",
            ] : [])
        },
        Migration(id: "0008_late_cases_covering") { _ in
            [
                // The cases closed late, led by their deadline and holding every column the scores read of them: a
                // period's late cases come from the index alone. PostgreSQL had preferred the plain deadline index and
                // visited every case due in the period (a year: 0.40 s → 0.04 s on the server).
                "DROP INDEX cases_late",
                "CREATE INDEX cases_late ON cases(deadline_at, unit_id, territory_id, number, id) WHERE state = 'closed' AND closed_on_time = 0",
            ]
        },
        Migration(id: "0009_check_cases") { _ in
            [
                // The cases found by checks (the scheme's default check sources, in CaseSource order as the scores
                // query lists them), by report time: a year's ~73,000 instead of its ~500,000 reports filtered.
                // Other check sources are read through cases_reported as before. Grid and citizen reports, most of
                // the intake, are not in it.
                "CREATE INDEX cases_checks ON cases(reported_at) WHERE source IN ('inspection','undercover','mock_evaluation')",
            ]
        },
        Migration(id: "0010_case_totals") { engine in
            // The city-wide status counts: summing case_counts' ~18,000 (territory, unit, state) rows cost ~6 ms a
            // request at 1M cases. case_totals keeps the same counts by state alone, spread over 16 shards by case id
            // so that concurrent PostgreSQL transactions changing states rarely wait on one row; a read sums ≤ 144 rows.
            var s = [
                "CREATE TABLE case_totals (shard INTEGER NOT NULL, state TEXT NOT NULL, n BIGINT NOT NULL, PRIMARY KEY (shard, state))",
                "INSERT INTO case_totals (shard, state, n) SELECT id % 16, state, COUNT(*) FROM cases GROUP BY id % 16, state",
            ]
            switch engine {
            case .sqlite:
                s += [
                    """
                    CREATE TRIGGER cases_total_insert AFTER INSERT ON cases BEGIN
                      INSERT INTO case_totals (shard, state, n) VALUES (NEW.id % 16, NEW.state, 1)
                      ON CONFLICT (shard, state) DO UPDATE SET n = n + 1;
                    END
                    """,
                    """
                    CREATE TRIGGER cases_total_update AFTER UPDATE OF state ON cases WHEN OLD.state IS NOT NEW.state BEGIN
                      UPDATE case_totals SET n = n - 1 WHERE shard = OLD.id % 16 AND state = OLD.state;
                      INSERT INTO case_totals (shard, state, n) VALUES (NEW.id % 16, NEW.state, 1)
                      ON CONFLICT (shard, state) DO UPDATE SET n = n + 1;
                    END
                    """,
                ]
            case .postgres:
                s += [
                    """
                    CREATE FUNCTION cases_total() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                      IF TG_OP = 'UPDATE' THEN
                        IF OLD.state IS NOT DISTINCT FROM NEW.state THEN RETURN NEW; END IF;
                        UPDATE case_totals SET n = n - 1 WHERE shard = OLD.id % 16 AND state = OLD.state;
                      END IF;
                      INSERT INTO case_totals (shard, state, n) VALUES (NEW.id % 16, NEW.state, 1)
                      ON CONFLICT (shard, state) DO UPDATE SET n = case_totals.n + 1;
                      RETURN NEW;
                    END $$
                    """,
                    "CREATE TRIGGER cases_total AFTER INSERT OR UPDATE OF state ON cases FOR EACH ROW EXECUTE FUNCTION cases_total()",
                ]
            }
            return s
        },
        Migration(id: "0011_unit_open_cases") { _ in
            [
                // A unit's open cases by deadline, the unit's own list: the index walk stops at the page instead of taking
                // every open case of the unit (up to ~4,300 at 1M cases) from (unit, state, deadline) and sorting them.
                // Nothing else read that index, and the partial one leaves out the reported and finished cases.
                "DROP INDEX cases_unit_state",
                "CREATE INDEX cases_unit_open ON cases(unit_id, deadline_at, id) WHERE state IN (\(CaseService.sqlList(CaseService.unitOpenStates)))",
            ]
        },
        Migration(id: "0012_case_due") { engine in
            // The city-wide overdue figure: counting the running cases whose deadline has passed walked ~11,800 index
            // entries (~2.5 ms of PostgreSQL per request at 1M cases). case_due keeps the running cases (clock states,
            // deadline set) by the UTC day of their deadline (deadline_at / 86400), so the figure is the sum of the days
            // before today plus a count of today's part of the index (docs/design/rectification-loop.md).
            let clock = CaseService.sqlList(CaseService.clockStates)
            func runs(_ r: String) -> String { "\(r).state IN (\(clock)) AND \(r).deadline_at IS NOT NULL" }
            var s = [
                "CREATE TABLE case_due (day BIGINT PRIMARY KEY, n BIGINT NOT NULL)",
                "INSERT INTO case_due (day, n) SELECT deadline_at / 86400, COUNT(*) FROM cases WHERE \(runs("cases")) GROUP BY deadline_at / 86400",
            ]
            let add = "INSERT INTO case_due (day, n) VALUES (NEW.deadline_at / 86400, 1) ON CONFLICT (day) DO UPDATE SET n = case_due.n + 1"
            switch engine {
            case .sqlite:
                // The same day before and after is no change; otherwise the old day loses one and the new day gains one.
                let sameDay = "OLD.deadline_at / 86400 = NEW.deadline_at / 86400"
                s += [
                    "CREATE TRIGGER cases_due_insert AFTER INSERT ON cases WHEN \(runs("NEW")) BEGIN \(add); END",
                    """
                    CREATE TRIGGER cases_due_leave AFTER UPDATE OF state, deadline_at ON cases
                    WHEN \(runs("OLD")) AND NOT (\(runs("NEW")) AND \(sameDay)) BEGIN
                      UPDATE case_due SET n = n - 1 WHERE day = OLD.deadline_at / 86400;
                    END
                    """,
                    """
                    CREATE TRIGGER cases_due_enter AFTER UPDATE OF state, deadline_at ON cases
                    WHEN \(runs("NEW")) AND NOT (\(runs("OLD")) AND \(sameDay)) BEGIN \(add); END
                    """,
                    "CREATE TRIGGER cases_due_delete AFTER DELETE ON cases WHEN \(runs("OLD")) BEGIN UPDATE case_due SET n = n - 1 WHERE day = OLD.deadline_at / 86400; END",
                ]
            case .postgres:
                s += [
                    """
                    CREATE FUNCTION cases_due() RETURNS trigger LANGUAGE plpgsql AS $$
                    DECLARE was BIGINT; now_day BIGINT;
                    BEGIN
                      IF TG_OP <> 'INSERT' AND \(runs("OLD")) THEN was := OLD.deadline_at / 86400; END IF;
                      IF TG_OP <> 'DELETE' AND \(runs("NEW")) THEN now_day := NEW.deadline_at / 86400; END IF;
                      IF was IS NOT DISTINCT FROM now_day THEN RETURN NULL; END IF;
                      IF was IS NOT NULL THEN UPDATE case_due SET n = n - 1 WHERE day = was; END IF;
                      IF now_day IS NOT NULL THEN \(add); END IF;
                      RETURN NULL;
                    END $$
                    """,
                    "CREATE TRIGGER cases_due AFTER INSERT OR UPDATE OF state, deadline_at OR DELETE ON cases FOR EACH ROW EXECUTE FUNCTION cases_due()",
                ]
            }
            return s
        },
        Migration(id: "0013_case_counters_per_statement") { engine in
            // PostgreSQL: a group of new cases is one multi-row INSERT, and the three counter triggers ran once per row,
            // each an INSERT … ON CONFLICT of its own; the same counter row updated many times in one transaction also
            // leaves a chain of row versions that every later look-up walks. One trigger per statement now adds the
            // whole group to case_counts, case_totals and case_due with one grouped upsert each, from the statement's
            // transition table. Changes of state, unit or deadline and deletes keep their row triggers (PostgreSQL allows
            // no transition table on a trigger with a column list). SQLite has only row triggers, run in process.
            guard engine == .postgres else { return [] }
            let clock = CaseService.sqlList(CaseService.clockStates)
            return [
                "DROP TRIGGER cases_count ON cases",
                "CREATE TRIGGER cases_count AFTER UPDATE OF state, unit_id ON cases FOR EACH ROW EXECUTE FUNCTION cases_count()",
                "DROP TRIGGER cases_total ON cases",
                "CREATE TRIGGER cases_total AFTER UPDATE OF state ON cases FOR EACH ROW EXECUTE FUNCTION cases_total()",
                "DROP TRIGGER cases_due ON cases",
                "CREATE TRIGGER cases_due AFTER UPDATE OF state, deadline_at OR DELETE ON cases FOR EACH ROW EXECUTE FUNCTION cases_due()",
                // Each upsert takes its counter rows in key order, so two inserting transactions cannot deadlock on them.
                """
                CREATE FUNCTION cases_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  INSERT INTO case_counts (territory_id, unit_id, state, territory_path, unit_path, n)
                  SELECT territory_id, COALESCE(unit_id, 0), state, MIN(territory_path), MIN(COALESCE(unit_path, '')), COUNT(*)
                  FROM fresh GROUP BY territory_id, COALESCE(unit_id, 0), state ORDER BY 1, 2, 3
                  ON CONFLICT (territory_id, unit_id, state) DO UPDATE SET n = case_counts.n + EXCLUDED.n;
                  INSERT INTO case_totals (shard, state, n)
                  SELECT id % 16, state, COUNT(*) FROM fresh GROUP BY id % 16, state ORDER BY 1, 2
                  ON CONFLICT (shard, state) DO UPDATE SET n = case_totals.n + EXCLUDED.n;
                  INSERT INTO case_due (day, n)
                  SELECT deadline_at / 86400, COUNT(*) FROM fresh WHERE state IN (\(clock)) AND deadline_at IS NOT NULL
                  GROUP BY deadline_at / 86400 ORDER BY 1
                  ON CONFLICT (day) DO UPDATE SET n = case_due.n + EXCLUDED.n;
                  RETURN NULL;
                END $$
                """,
                "CREATE TRIGGER cases_inserted AFTER INSERT ON cases REFERENCING NEW TABLE AS fresh FOR EACH STATEMENT EXECUTE FUNCTION cases_inserted()",
            ]
        },
    ]

    /// Applies every migration not yet applied, each in its own transaction, in order.
    /// On PostgreSQL an advisory lock keeps two starting instances from migrating at once.
    @discardableResult
    public static func run(on db: Database, now: Date = Date()) async throws -> [String] {
        try await db.write { tx in
            if db.engine == .postgres { try await tx.raw("SELECT pg_advisory_xact_lock(71207)").run() }
            try await tx.raw("CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)").run()
        }
        var applied: [String] = []
        for m in all {
            let did = try await db.write { tx -> Bool in
                if db.engine == .postgres { try await tx.raw("SELECT pg_advisory_xact_lock(71207)").run() }
                let rows = try await tx.raw("SELECT id FROM schema_migrations WHERE id = \(bind: m.id)").all()
                if !rows.isEmpty { return false }
                for stmt in m.statements(db.engine) { try await tx.raw("\(unsafeRaw: stmt)").run() }
                try await tx.raw("INSERT INTO schema_migrations (id, applied_at) VALUES (\(bind: m.id), \(bind: Int64(now.timeIntervalSince1970)))").run()
                return true
            }
            if did { applied.append(m.id) }
        }
        // Planner statistics: partial indexes such as cases_open are only chosen with them.
        if db.engine == .sqlite { try await db.write { try await $0.raw("PRAGMA optimize=0x10002").run() } }
        return applied
    }
}
