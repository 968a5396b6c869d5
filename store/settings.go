package store

import (
	"context"
	"encoding/json"

	"assure/domain"
)

// Settings returns the regulator's settings and their version.
func (db *DB) Settings(ctx context.Context) (domain.Settings, int, error) {
	var s domain.Settings
	var raw []byte
	var version int
	if err := db.pool.QueryRow(ctx, `select value, version from settings`).Scan(&raw, &version); err != nil {
		return s, 0, translate(err, "read settings")
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return s, 0, translate(err, "read settings")
	}
	// Settings stored before a setting existed name none: its default holds.
	return s.WithDefaults(), version, nil
}

// UpdateSettings replaces the settings. ifVersion, when not zero, must match
// the stored version (EPrecondition otherwise).
func (db *DB) UpdateSettings(ctx context.Context, actor domain.Actor, s domain.Settings, ifVersion int) (int, error) {
	if problems := s.Check(); len(problems) > 0 {
		return 0, domain.Invalid("the settings are not valid", problems)
	}
	if s.TOTPRequiredRoles == nil {
		s.TOTPRequiredRoles = []domain.Role{}
	}
	s = s.WithDefaults()
	var version int
	err := db.write(ctx, "update settings", func(t *txn) error {
		var before json.RawMessage
		if err := t.QueryRow(ctx, `select value, version from settings for update`).Scan(&before, &version); err != nil {
			return err
		}
		if ifVersion != 0 && ifVersion != version {
			return domain.Errorf(domain.EPrecondition, "the settings have changed since version %d (now %d); reload and retry", ifVersion, version)
		}
		after, err := json.Marshal(s)
		if err != nil {
			return err
		}
		if err := t.QueryRow(ctx, `update settings set value = $1, version = version + 1, updated_at = now()
			returning version`, after).Scan(&version); err != nil {
			return err
		}
		return t.record(actor, "settings.update", "settings", "settings", "",
			map[string]any{"before": before, "after": json.RawMessage(after)})
	})
	return version, err
}

// SessionLifetimes returns how long browser sessions live, as the server
// was started with; they are options of the server, not stored settings.
func (db *DB) SessionLifetimes() SessionPolicy { return db.sessions }
