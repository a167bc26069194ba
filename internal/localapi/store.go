package localapi

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // SQLite driver (pure Go).
)

// migrations are the numbered schema migrations; migration i+1 is
// migrations[i]. Each runs in its own transaction together with its row in
// schema_migrations. Never edit a migration that has shipped: add one.
var migrations = []string{
	// 1: the initial schema.
	`CREATE TABLE tenant (
		uid TEXT PRIMARY KEY,
		name TEXT NOT NULL,
		created INTEGER NOT NULL
	);
	CREATE TABLE projects (
		uid TEXT PRIMARY KEY,
		name TEXT NOT NULL UNIQUE,
		created INTEGER NOT NULL
	);
	CREATE TABLE api_keys (
		hash TEXT PRIMARY KEY,
		project_uid TEXT REFERENCES projects(uid),
		created INTEGER NOT NULL
	);
	CREATE TABLE clusters (
		uid TEXT PRIMARY KEY,
		scope TEXT NOT NULL,
		name TEXT NOT NULL,
		cloud_type TEXT NOT NULL,
		state TEXT NOT NULL,
		import_mode TEXT NOT NULL,
		labels TEXT NOT NULL DEFAULT '{}',
		annotations TEXT NOT NULL DEFAULT '{}',
		proxy TEXT NOT NULL DEFAULT '',
		cloud_config_uid TEXT NOT NULL UNIQUE,
		manifest_token TEXT NOT NULL,
		created INTEGER NOT NULL,
		modified INTEGER NOT NULL,
		deleted_at INTEGER,
		last_heartbeat INTEGER,
		agent_version TEXT NOT NULL DEFAULT '',
		agent_metadata TEXT NOT NULL DEFAULT '{}',
		packs TEXT NOT NULL DEFAULT '[]'
	);
	CREATE UNIQUE INDEX clusters_live_name ON clusters(scope, name) WHERE state <> 'Deleted';
	CREATE TABLE agent_tokens (
		hash TEXT PRIMARY KEY,
		cluster_uid TEXT NOT NULL REFERENCES clusters(uid),
		created INTEGER NOT NULL
	);
	CREATE TABLE profiles (
		uid TEXT PRIMARY KEY,
		scope TEXT NOT NULL,
		name TEXT NOT NULL,
		version TEXT NOT NULL,
		type TEXT NOT NULL,
		cloud_type TEXT NOT NULL,
		template TEXT NOT NULL,
		published TEXT,
		created INTEGER NOT NULL,
		modified INTEGER NOT NULL,
		UNIQUE(scope, name, version)
	);
	CREATE TABLE attachments (
		cluster_uid TEXT NOT NULL REFERENCES clusters(uid),
		profile_uid TEXT NOT NULL REFERENCES profiles(uid),
		position INTEGER NOT NULL,
		pack_values TEXT NOT NULL DEFAULT '[]',
		variables TEXT NOT NULL DEFAULT '[]',
		PRIMARY KEY(cluster_uid, profile_uid)
	);
	CREATE TABLE cluster_extras (
		cluster_uid TEXT NOT NULL REFERENCES clusters(uid),
		kind TEXT NOT NULL,
		body TEXT NOT NULL,
		PRIMARY KEY(cluster_uid, kind)
	);`,
	// 2: listing by scope and creation time.
	`CREATE INDEX clusters_scope_created ON clusters(scope, created);
	CREATE INDEX agent_tokens_cluster ON agent_tokens(cluster_uid);`,
	// 3: the agent credential of a cluster, minted once by the first
	// manifest fetch (so that every fetch serves the same manifest) and
	// replaced only by rotateCredentials; "" until then.
	`ALTER TABLE clusters ADD COLUMN agent_token TEXT NOT NULL DEFAULT '';`,
	// 4: a cluster's namespace and RBAC entries (kind 'namespaces' or
	// 'rbacs'), in list order, with the errors the agent last reported for
	// each (store_cluster_config.go). The documents stored before in
	// cluster_extras were palette-local's own shape, unvalidated and never
	// applied by an agent: they go (PUT the lists again).
	`CREATE TABLE cluster_config_entries (
		uid TEXT PRIMARY KEY,
		cluster_uid TEXT NOT NULL REFERENCES clusters(uid),
		kind TEXT NOT NULL,
		position INTEGER NOT NULL,
		name TEXT NOT NULL,
		labels TEXT NOT NULL DEFAULT '{}',
		annotations TEXT NOT NULL DEFAULT '{}',
		spec TEXT NOT NULL,
		errors TEXT NOT NULL DEFAULT '[]',
		created INTEGER NOT NULL,
		modified INTEGER NOT NULL
	);
	CREATE INDEX cluster_config_entries_list ON cluster_config_entries(cluster_uid, kind, position);
	DELETE FROM cluster_extras WHERE kind IN ('namespaces', 'rbacs');`,
	// 5: a cluster's compliance scan schedule (v1ClusterComplianceScheduleConfig
	// as JSON; no row: nothing scheduled) and the runs of its scan drivers,
	// each with the agent's last report (compliance_scan.go).
	`CREATE TABLE compliance_scans (
		cluster_uid TEXT PRIMARY KEY REFERENCES clusters(uid),
		uid TEXT NOT NULL,
		schedule TEXT NOT NULL,
		created INTEGER NOT NULL,
		modified INTEGER NOT NULL
	);
	CREATE TABLE compliance_scan_logs (
		uid TEXT PRIMARY KEY,
		cluster_uid TEXT NOT NULL REFERENCES clusters(uid),
		driver TEXT NOT NULL,
		request_uid TEXT NOT NULL,
		actor TEXT NOT NULL,
		state TEXT NOT NULL,
		message TEXT NOT NULL DEFAULT '',
		reports TEXT NOT NULL DEFAULT '',
		syft_config TEXT NOT NULL DEFAULT '',
		created INTEGER NOT NULL,
		modified INTEGER NOT NULL,
		started INTEGER,
		ended INTEGER,
		UNIQUE(cluster_uid, driver, request_uid)
	);
	CREATE INDEX compliance_scan_logs_cluster ON compliance_scan_logs(cluster_uid, created);`,
	// 6: backup locations (tenant-wide, with their secret key, which no
	// answer shows), the backups of clusters (on-demand and scheduled, by
	// request) and the restores into clusters (store_backups.go). A
	// cluster's backup schedule is its cluster_extras row of kind 'backup'.
	`CREATE TABLE backup_locations (
		uid TEXT PRIMARY KEY,
		name TEXT NOT NULL UNIQUE,
		type TEXT NOT NULL,
		config TEXT NOT NULL,
		is_default INTEGER NOT NULL DEFAULT 0,
		created INTEGER NOT NULL,
		modified INTEGER NOT NULL
	);
	CREATE TABLE backup_requests (
		uid TEXT PRIMARY KEY,
		cluster_uid TEXT NOT NULL REFERENCES clusters(uid),
		backup_name TEXT NOT NULL,
		actor TEXT NOT NULL,
		location_uid TEXT NOT NULL,
		config TEXT NOT NULL,
		state TEXT NOT NULL,
		msg TEXT NOT NULL DEFAULT '',
		backup_time INTEGER,
		expiry INTEGER,
		namespaces TEXT NOT NULL DEFAULT '[]',
		delete_state TEXT NOT NULL DEFAULT '',
		created INTEGER NOT NULL,
		UNIQUE(cluster_uid, backup_name)
	);
	CREATE TABLE restore_requests (
		uid TEXT PRIMARY KEY,
		cluster_uid TEXT NOT NULL REFERENCES clusters(uid),
		source_cluster_uid TEXT NOT NULL REFERENCES clusters(uid),
		backup_request_uid TEXT NOT NULL,
		backup_name TEXT NOT NULL,
		config TEXT NOT NULL,
		state TEXT NOT NULL,
		msg TEXT NOT NULL DEFAULT '',
		restore_time INTEGER,
		created INTEGER NOT NULL
	);`,
}

// queryer is what *sql.DB and *sql.Tx have in common.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// store is the SQLite database of one data directory.
type store struct {
	db *sql.DB
	// path is the database file, named in errors.
	path string
	// wmu serialises this process's write transactions; other processes
	// (the CLI) are serialised by SQLite's immediate transactions.
	wmu sync.Mutex
}

const dbFileName = "palette-local.db"

func openStore(dataDir string, maxPages int) (*store, error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating data dir: %w", err)
	}
	path := filepath.Join(dataDir, dbFileName)
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	if maxPages > 0 {
		q.Add("_pragma", fmt.Sprintf("max_page_count(%d)", maxPages))
	}
	q.Set("_txlock", "immediate")
	// In a URI, "?" and "#" would end the path ("#" in a test's temporary
	// directory once made every run share /tmp/TestName): escape them.
	uriPath := strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(path)
	db, err := sql.Open("sqlite", "file:"+uriPath+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	st := &store{db: db, path: path}
	if err := st.migrate(context.Background()); err != nil {
		_ = db.Close()
		return nil, err
	}
	return st, nil
}

func (st *store) migrate(ctx context.Context) error {
	if _, err := st.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("creating schema_migrations: %w", err)
	}
	for i, m := range migrations {
		version := i + 1
		err := st.write(ctx, func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations(version, applied_at) VALUES (?, ?)`, version, time.Now().UnixNano())
			return err
		})
		if err != nil {
			return fmt.Errorf("applying migration %d: %w", version, err)
		}
	}
	return nil
}

// write runs fn in one transaction: all of it commits or none of it.
func (st *store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	st.wmu.Lock()
	defer st.wmu.Unlock()
	tx, err := st.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func (st *store) close() error { return st.db.Close() }

// newUID returns 24 lowercase hex characters.
func newUID() string { return randHex(12) }

func randHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return hex.EncodeToString(b)
}

func hashSecret(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

const defaultProjectName = "Default"

// bootstrap creates the tenant, the Default project and an admin key on first
// start. It returns the new key ("" if the store was already bootstrapped) and
// the Default project's UID.
func (st *store) bootstrap(ctx context.Context) (key, defaultProject string, err error) {
	err = st.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM tenant`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return tx.QueryRowContext(ctx, `SELECT uid FROM projects WHERE name = ?`, defaultProjectName).Scan(&defaultProject)
		}
		now := time.Now().UnixNano()
		if _, err := tx.ExecContext(ctx, `INSERT INTO tenant(uid, name, created) VALUES (?, ?, ?)`, newUID(), "local", now); err != nil {
			return err
		}
		defaultProject = newUID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO projects(uid, name, created) VALUES (?, ?, ?)`, defaultProject, defaultProjectName, now); err != nil {
			return err
		}
		key = randHex(24)
		_, err := tx.ExecContext(ctx, `INSERT INTO api_keys(hash, project_uid, created) VALUES (?, NULL, ?)`, hashSecret(key), now)
		return err
	})
	if err != nil {
		return "", "", fmt.Errorf("bootstrapping: %w", err)
	}
	return key, defaultProject, nil
}

var errNotFound = errors.New("not found")

// keyInfo is what an API key may do.
type keyInfo struct {
	hash string
	// project is the only project the key may use; "" for a tenant admin.
	project string
}

func (st *store) lookupKey(ctx context.Context, hash string) (keyInfo, error) {
	var project sql.NullString
	err := st.db.QueryRowContext(ctx, `SELECT project_uid FROM api_keys WHERE hash = ?`, hash).Scan(&project)
	if errors.Is(err, sql.ErrNoRows) {
		return keyInfo{}, errNotFound
	}
	if err != nil {
		return keyInfo{}, fmt.Errorf("looking up key: %w", err)
	}
	return keyInfo{hash: hash, project: project.String}, nil
}

func (st *store) projectName(ctx context.Context, uid string) (string, error) {
	var name string
	err := st.db.QueryRowContext(ctx, `SELECT name FROM projects WHERE uid = ?`, uid).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errNotFound
	}
	if err != nil {
		return "", fmt.Errorf("looking up project: %w", err)
	}
	return name, nil
}

func (st *store) projectUIDByName(ctx context.Context, name string) (string, error) {
	var uid string
	err := st.db.QueryRowContext(ctx, `SELECT uid FROM projects WHERE name = ?`, name).Scan(&uid)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("project %q: %w", name, errNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("looking up project: %w", err)
	}
	return uid, nil
}

func (st *store) createProject(ctx context.Context, name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", errors.New("project name is empty")
	}
	uid := newUID()
	err := st.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM projects WHERE name = ?`, name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("project %q already exists", name)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO projects(uid, name, created) VALUES (?, ?, ?)`, uid, name, time.Now().UnixNano())
		return err
	})
	if err != nil {
		return "", fmt.Errorf("creating project: %w", err)
	}
	return uid, nil
}

// createAPIKey creates a key limited to projectName, or a tenant admin key
// when projectName is empty.
func (st *store) createAPIKey(ctx context.Context, projectName string) (string, error) {
	var project any
	if projectName != "" {
		uid, err := st.projectUIDByName(ctx, projectName)
		if err != nil {
			return "", err
		}
		project = uid
	}
	key := randHex(24)
	err := st.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO api_keys(hash, project_uid, created) VALUES (?, ?, ?)`, hashSecret(key), project, time.Now().UnixNano())
		return err
	})
	if err != nil {
		return "", fmt.Errorf("creating API key: %w", err)
	}
	return key, nil
}

// projectRow is a stored project.
type projectRow struct{ UID, Name string }

// listProjects reads every project, by name.
func (st *store) listProjects(ctx context.Context) ([]projectRow, error) {
	rows, err := st.db.QueryContext(ctx, `SELECT uid, name FROM projects ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []projectRow
	for rows.Next() {
		var p projectRow
		if err := rows.Scan(&p.UID, &p.Name); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
