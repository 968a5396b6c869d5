package web

import (
	"testing"

	"assure/domain"
)

// TestAdminMessagesHaveFrench covers the messages of the administrator's
// screens that the catalog test cannot find by reading the code: the
// confirmations of acts on a user and the states of a token.
func TestAdminMessagesHaveFrench(t *testing.T) {
	tx, err := loadTexts()
	if err != nil {
		t.Fatal(err)
	}
	keys := []string{"Revoked", "Expired", "Active"}
	for _, a := range userActions {
		keys = append(keys, a.Question, a.Explanation, a.Button)
	}
	for _, k := range keys {
		if !tx.Has(domain.French, k) {
			t.Errorf("%q has no French text", k)
		}
	}
}
