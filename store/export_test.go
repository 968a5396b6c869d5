package store

import "assure/domain"

// SetToday makes the store compute date-dependent state (what is overdue)
// for the day today returns, so tests can let days pass.
func (db *DB) SetToday(today func() domain.Date) { db.today = today }
