package store_test

import (
	"context"
	"sync"
	"testing"

	"assure/domain"
	"assure/store"
	"assure/store/storetest"
)

func newUser(t *testing.T, db *store.DB, email string, role domain.Role, provider string) domain.User {
	t.Helper()
	u, err := db.CreateUser(context.Background(), domain.System("test"), store.NewUser{Email: email, Name: email,
		Role: role, ProviderID: provider, Password: "a fine long password"})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func newProvider(t *testing.T, url, name string) string {
	t.Helper()
	var id string
	exec(t, url, `insert into providers (legal_name, short_name, licence_number, kind, tier) values ($1, $1, $1, 'bank', 1)`, name)
	if err := queryRow(url, `select id::text from providers where legal_name = $1`, []any{name}, &id); err != nil {
		t.Fatal(err)
	}
	return id
}

func actorOf(u domain.User) domain.Actor {
	return domain.Actor{UserID: u.ID, Email: u.Email, Role: u.Role, ProviderID: u.ProviderID}
}

func TestLastAdminRule(t *testing.T) {
	t.Parallel()
	db, _ := storetest.Empty(t)
	ctx := context.Background()
	a1 := newUser(t, db, "a1@example.test", domain.RoleAdmin, "")
	supervisor := domain.RoleSupervisor
	if _, err := db.UpdateUser(ctx, actorOf(a1), a1.ID, store.UserChange{Role: &supervisor}, 0); domain.ErrorCodeOf(err) != domain.EConflict {
		t.Fatalf("demoting the only admin = %v", err)
	}
	if _, err := db.DisableUser(ctx, actorOf(a1), a1.ID); domain.ErrorCodeOf(err) != domain.EConflict {
		t.Fatalf("disabling the only admin = %v", err)
	}

	// Two admins demote each other at the same time: one must stay.
	a2 := newUser(t, db, "a2@example.test", domain.RoleAdmin, "")
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, pair := range [][2]domain.User{{a1, a2}, {a2, a1}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = db.UpdateUser(ctx, actorOf(pair[0]), pair[1].ID, store.UserChange{Role: &supervisor}, 0)
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if domain.ErrorCodeOf(err) != domain.EConflict {
			t.Fatalf("unexpected error %v", err)
		}
	}
	admins, _, err := db.Users(ctx, domain.System("test"), store.UserFilter{Role: domain.RoleAdmin, Status: domain.UserActive}, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if ok != 1 || len(admins) != 1 {
		t.Errorf("%d demotions succeeded, %d admins left; want 1 and 1", ok, len(admins))
	}
}

func TestProviderAdminLimits(t *testing.T) {
	t.Parallel()
	db, url := storetest.Empty(t)
	ctx := context.Background()
	p1, p2 := newProvider(t, url, "Banco Uno"), newProvider(t, url, "Banco Dos")
	pa := actorOf(newUser(t, db, "pa@uno.test", domain.RoleProviderAdmin, p1))
	other := newUser(t, db, "ed@dos.test", domain.RoleProviderEditor, p2)
	peer := newUser(t, db, "pa2@uno.test", domain.RoleProviderAdmin, p1)

	ed, err := db.CreateUser(ctx, pa, store.NewUser{Email: "ed@uno.test", Name: "Ed", Role: domain.RoleProviderEditor,
		ProviderID: p1, Password: "a fine long password"})
	if err != nil {
		t.Fatalf("create own editor: %v", err)
	}
	for name, nu := range map[string]store.NewUser{
		"admin of own provider": {Email: "x1@uno.test", Name: "X", Role: domain.RoleProviderAdmin, ProviderID: p1},
		"editor of another":     {Email: "x2@dos.test", Name: "X", Role: domain.RoleProviderEditor, ProviderID: p2},
		"supervisor":            {Email: "x3@reg.test", Name: "X", Role: domain.RoleSupervisor},
	} {
		nu.Password = "a fine long password"
		if _, err := db.CreateUser(ctx, pa, nu); err == nil {
			t.Errorf("provider_admin created %s", name)
		}
	}
	if _, err := db.DisableUser(ctx, pa, ed.ID); err != nil {
		t.Errorf("disable own editor: %v", err)
	}
	if _, err := db.DisableUser(ctx, pa, other.ID); domain.ErrorCodeOf(err) != domain.ENotFound {
		t.Errorf("disable another provider's editor = %v, want not found", err)
	}
	if _, err := db.DisableUser(ctx, pa, peer.ID); domain.ErrorCodeOf(err) != domain.EForbidden {
		t.Errorf("disable a peer provider_admin = %v, want forbidden", err)
	}
	list, _, err := db.Users(ctx, pa, store.UserFilter{}, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range list {
		if u.ProviderID != p1 {
			t.Errorf("provider_admin sees %s of another provider", u.Email)
		}
	}
}

// TestEnableUser re-enables a disabled user: they may sign in again, their
// old sessions stay revoked, and the change is audited as user.enable once.
func TestEnableUser(t *testing.T) {
	t.Parallel()
	db, url := storetest.Empty(t)
	ctx := context.Background()
	admin := actorOf(newUser(t, db, "admin@reg.test", domain.RoleAdmin, ""))
	p1, p2 := newProvider(t, url, "Banco Uno"), newProvider(t, url, "Banco Dos")
	ed := newUser(t, db, "ed@uno.test", domain.RoleProviderEditor, p1)
	other := newUser(t, db, "ed@dos.test", domain.RoleProviderEditor, p2)
	pa := actorOf(newUser(t, db, "pa@uno.test", domain.RoleProviderAdmin, p1))

	old, err := db.Login(ctx, domain.Actor{}, store.Credentials{Email: ed.Email, Password: "a fine long password"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.DisableUser(ctx, admin, ed.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Login(ctx, domain.Actor{}, store.Credentials{Email: ed.Email, Password: "a fine long password"}); err == nil {
		t.Fatal("a disabled user signed in")
	}
	u, err := db.EnableUser(ctx, pa, ed.ID)
	if err != nil || u.Status != domain.UserActive {
		t.Fatalf("enable own editor = %v, %s", err, u.Status)
	}
	if _, err := db.EnableUser(ctx, pa, ed.ID); err != nil {
		t.Fatalf("enabling an active user = %v", err)
	}
	if _, err := db.Authenticate(ctx, old.Token); err == nil {
		t.Error("a session from before the user was disabled works again")
	}
	if _, err := db.Login(ctx, domain.Actor{}, store.Credentials{Email: ed.Email, Password: "a fine long password"}); err != nil {
		t.Errorf("the re-enabled user cannot sign in: %v", err)
	}
	if _, err := db.DisableUser(ctx, admin, other.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.EnableUser(ctx, pa, other.ID); domain.ErrorCodeOf(err) != domain.ENotFound {
		t.Errorf("enabling another provider's editor = %v, want not found", err)
	}
	events, _, err := db.AuditEvents(ctx, domain.System("test"), store.AuditFilter{Action: "user.enable"}, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || events[0].ObjectID != ed.ID {
		t.Errorf("user.enable events = %+v, want one for %s", events, ed.ID)
	}
}
