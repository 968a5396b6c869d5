package domain

import "slices"

// ResponseChange is how one control's sealed answer differs between two
// submissions. Before is nil for a control first filed in the later one,
// After nil for one no longer filed.
type ResponseChange struct {
	ControlID string
	Fields    []string // the answer's fields that differ: status, maturity, narrative, remediation_date, justification
	Added     []SnapshotEvidence
	Removed   []SnapshotEvidence
	Before    *SnapshotResponse
	After     *SnapshotResponse
}

// DiffSnapshots lists the controls whose answer or evidence differs between
// an earlier and a later submission, in the later one's order (then the
// controls only the earlier one had). Evidence is compared by content hash,
// so a file uploaded again with the same content is no change.
func DiffSnapshots(earlier, later Snapshot) []ResponseChange {
	before := map[string]*SnapshotResponse{}
	for i := range earlier.Responses {
		before[earlier.Responses[i].ControlID] = &earlier.Responses[i]
	}
	var out []ResponseChange
	seen := map[string]bool{}
	for i := range later.Responses {
		a := &later.Responses[i]
		seen[a.ControlID] = true
		if c, changed := diffResponse(before[a.ControlID], a); changed {
			out = append(out, c)
		}
	}
	for i := range earlier.Responses {
		b := &earlier.Responses[i]
		if !seen[b.ControlID] {
			c, _ := diffResponse(b, nil)
			out = append(out, c)
		}
	}
	return out
}

func diffResponse(b, a *SnapshotResponse) (ResponseChange, bool) {
	c := ResponseChange{Before: b, After: a}
	switch {
	case a != nil:
		c.ControlID = a.ControlID
	case b != nil:
		c.ControlID = b.ControlID
	}
	if a == nil || b == nil {
		return c, true
	}
	if a.Status != b.Status {
		c.Fields = append(c.Fields, "status")
	}
	if !sameMaturity(a.Maturity, b.Maturity) {
		c.Fields = append(c.Fields, "maturity")
	}
	if a.Narrative != b.Narrative {
		c.Fields = append(c.Fields, "narrative")
	}
	if a.RemediationDate != b.RemediationDate {
		c.Fields = append(c.Fields, "remediation_date")
	}
	if a.Justification != b.Justification {
		c.Fields = append(c.Fields, "justification")
	}
	hashes := func(list []SnapshotEvidence) []string {
		var out []string
		for _, e := range list {
			out = append(out, e.SHA256)
		}
		return out
	}
	was, is := hashes(b.Evidence), hashes(a.Evidence)
	for _, e := range a.Evidence {
		if !slices.Contains(was, e.SHA256) {
			c.Added = append(c.Added, e)
		}
	}
	for _, e := range b.Evidence {
		if !slices.Contains(is, e.SHA256) {
			c.Removed = append(c.Removed, e)
		}
	}
	return c, len(c.Fields) > 0 || len(c.Added) > 0 || len(c.Removed) > 0
}

func sameMaturity(a, b *int) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}
