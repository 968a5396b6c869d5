package store

import "regexp"

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// isUUID reports whether s is a UUID, so malformed ids answer "not found"
// instead of a database error.
func isUUID(s string) bool { return uuidPattern.MatchString(s) }
