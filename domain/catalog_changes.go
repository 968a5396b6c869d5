package domain

import (
	"strconv"
	"strings"
)

// CatalogChange is one difference between two versions of a framework.
type CatalogChange struct {
	Kind   string   `json:"kind" enum:"control,threat"`
	ID     string   `json:"id"`
	Change string   `json:"change" enum:"added,removed,changed"`
	Fields []string `json:"fields,omitempty" doc:"The fields that changed, for a changed item."`
	Before string   `json:"before,omitempty" doc:"The old value, when one field changed."`
	After  string   `json:"after,omitempty" doc:"The new value, when one field changed."`
}

// CatalogChanges lists what differs from old to new, controls then threats,
// each in new's order (removed ones after, in old's order): the changelog
// between two versions of a framework, computed from their content.
func CatalogChanges(old, new *Framework) []CatalogChange {
	var out []CatalogChange
	controlFields := func(c Control) [][2]string {
		return [][2]string{{"section", c.Section}, {"title", c.Title}, {"description", c.Description},
			{"dimensions", strings.Join(c.Dimensions, ", ")}, {"implementers", strings.Join(c.Implementers, ", ")},
			{"threats", strings.Join(c.Threats(), ", ")}, {"channels", strings.Join(c.Channels, ", ")},
			{"audit_group", c.AuditGroup}, {"question", c.Question}, {"evidence", c.Evidence},
			{"policy_area", c.PolicyArea}, {"levels", strings.Join(c.Levels, ", ")}}
	}
	threatFields := func(t Threat) [][2]string {
		return [][2]string{{"name", t.Name}, {"description", t.Description}, {"stages", strings.Join(t.Stages, ", ")},
			{"dimensions", strings.Join(t.Dimensions, ", ")}, {"likelihood", strconv.Itoa(t.Likelihood)}, {"impact", strconv.Itoa(t.Impact)}}
	}
	oldControls := map[string]Control{}
	for _, c := range old.Controls {
		oldControls[c.ID] = c
	}
	newControls := map[string]bool{}
	for _, c := range new.Controls {
		newControls[c.ID] = true
		before, ok := oldControls[c.ID]
		if !ok {
			out = append(out, CatalogChange{Kind: "control", ID: c.ID, Change: "added"})
			continue
		}
		if ch, changed := compared(controlFields(before), controlFields(c)); changed {
			ch.Kind, ch.ID = "control", c.ID
			out = append(out, ch)
		}
	}
	for _, c := range old.Controls {
		if !newControls[c.ID] {
			out = append(out, CatalogChange{Kind: "control", ID: c.ID, Change: "removed"})
		}
	}
	oldThreats := map[string]Threat{}
	for _, t := range old.Threats {
		oldThreats[t.ID] = t
	}
	newThreats := map[string]bool{}
	for _, t := range new.Threats {
		newThreats[t.ID] = true
		before, ok := oldThreats[t.ID]
		if !ok {
			out = append(out, CatalogChange{Kind: "threat", ID: t.ID, Change: "added"})
			continue
		}
		if ch, changed := compared(threatFields(before), threatFields(t)); changed {
			ch.Kind, ch.ID = "threat", t.ID
			out = append(out, ch)
		}
	}
	for _, t := range old.Threats {
		if !newThreats[t.ID] {
			out = append(out, CatalogChange{Kind: "threat", ID: t.ID, Change: "removed"})
		}
	}
	return out
}

// compared returns the change between two lists of the same fields.
func compared(before, after [][2]string) (CatalogChange, bool) {
	ch := CatalogChange{Change: "changed"}
	for i := range before {
		if before[i][1] != after[i][1] {
			ch.Fields = append(ch.Fields, before[i][0])
			ch.Before, ch.After = before[i][1], after[i][1]
		}
	}
	if len(ch.Fields) != 1 {
		ch.Before, ch.After = "", ""
	}
	return ch, len(ch.Fields) > 0
}
