package store

import (
	"fmt"
	"strconv"
	"strings"
)

// conditions gathers the conditions of a list query that are in use, each
// with its arguments. Leaving out the filters not in use, rather than
// writing "($n is empty or x = $n)", makes each combination of filters its own
// statement: the server can keep one plan for it instead of planning every
// page again, and every condition it holds is one an index can serve.
type conditions struct {
	conds []string
	args  []any
}

// add appends cond, whose placeholders are written $?, with one argument
// for each of them, in order.
func (c *conditions) add(cond string, args ...any) {
	for _, a := range args {
		c.args = append(c.args, a)
		cond = strings.Replace(cond, "$?", fmt.Sprintf("$%d", len(c.args)), 1)
	}
	c.conds = append(c.conds, cond)
}

// arg appends an argument and returns its placeholder.
func (c *conditions) arg(v any) string {
	c.args = append(c.args, v)
	return fmt.Sprintf("$%d", len(c.args))
}

// where renders the conditions joined by and ("true" when there are none).
func (c *conditions) where() string {
	if len(c.conds) == 0 {
		return "true"
	}
	return strings.Join(c.conds, " and ")
}

// pageLimit renders the row limit of a page, one more than the page holds
// (to tell whether another follows), as a literal rather than a parameter:
// with the first page's query free of the cursor's row comparison, the
// planner's generic plan then costs what a custom one does, so PostgreSQL
// keeps it instead of planning the list again on every call.
func pageLimit(limit int) string { return strconv.Itoa(limit + 1) }
