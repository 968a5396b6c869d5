package api

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"assure/domain"
	"assure/store"
)

type createUserInput struct {
	Body struct {
		Email      string      `json:"email" maxLength:"254"`
		Name       string      `json:"name" maxLength:"200"`
		Role       domain.Role `json:"role" enum:"admin,supervisor,provider_admin,provider_editor,auditor"`
		ProviderID string      `json:"provider_id,omitempty" maxLength:"36" doc:"Required for provider roles, absent otherwise."`
		Password   string      `json:"password,omitempty" maxLength:"256" doc:"At least 12 characters. Absent for a supervisor, admin or auditor, whose temporary password the approving administrator receives. Absent on a server that sends e-mail: the user is then invited (see create-invitation)."`
		Language   string      `json:"language,omitempty" enum:"en,fr" doc:"The account's language; absent follows the browser."`
	}
}

type userOutput struct {
	ETag string `header:"ETag"`
	Body User
}

func userResponse(u domain.User) *userOutput {
	return &userOutput{ETag: etag(u.Version), Body: userOf(u)}
}

type listUsersInput struct {
	ListParams
	Role     string `query:"role" enum:"admin,supervisor,provider_admin,provider_editor,auditor" doc:"Only users with this role."`
	Status   string `query:"status" enum:"active,disabled"`
	Provider string `query:"provider" maxLength:"36" doc:"Only users of this provider."`
	Q        string `query:"q" maxLength:"200" doc:"Part of an email address or name."`
}

type UserIDParam struct {
	ID string `path:"id" maxLength:"64" doc:"User id."`
}

type updateUserInput struct {
	UserIDParam
	IfMatch string `header:"If-Match" maxLength:"64" doc:"The ETag of the user as last read; a stale one is refused with 412."`
	Body    struct {
		Name       *string            `json:"name,omitempty" maxLength:"200"`
		Role       *domain.Role       `json:"role,omitempty" enum:"admin,supervisor,provider_admin,provider_editor,auditor"`
		ProviderID *string            `json:"provider_id,omitempty" maxLength:"36"`
		Status     *domain.UserStatus `json:"status,omitempty" enum:"active,disabled"`
	}
}

type resetPasswordInput struct {
	UserIDParam
	Body struct {
		Password string `json:"password,omitempty" maxLength:"256" doc:"Absent for a supervisor, admin or auditor, and on a server that sends e-mail."`
	}
}

// etag renders a version as a strong ETag.
func etag(version int) string { return fmt.Sprintf(`"%d"`, version) }

// ifMatch reads an If-Match header holding one of our ETags; 0 means absent.
func ifMatch(h string) (int, error) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, nil
	}
	v, err := strconv.Atoi(strings.Trim(strings.TrimPrefix(h, "W/"), `"`))
	if err != nil || v < 1 {
		return 0, domain.Invalid("bad If-Match header", []domain.Problem{{Location: "header.If-Match",
			Message: "must be an ETag returned by Assure"}})
	}
	return v, nil
}

func (a *API) registerUsers() {
	tags := []string{"Users"}
	register(a, huma.Operation{
		OperationID: "create-user", Method: http.MethodPost, Path: "/api/v1/users", Tags: tags,
		Summary: "Create a user",
		Description: "Admins create any user. A provider_admin creates provider_editor users of its own provider. " +
			"Provider roles need provider_id; the others must not have one. 201 with the user when it is created at once." +
			pendingDescription + " Until then the account does not exist and cannot sign in; its email stays reserved. " +
			"On a server that sends e-mail nobody chooses another's password: the request comes without one and " +
			"invites the user as create-invitation does.",
		DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *createUserInput) (*pendingOutput, error) {
		actor := actorFrom(ctx)
		b := in.Body
		u, r, err := a.app.CreateUser(ctx, actor, store.NewUser{Email: b.Email, Name: b.Name, Role: b.Role,
			ProviderID: b.ProviderID, Password: b.Password, Language: b.Language})
		if err != nil {
			return nil, err
		}
		if r != nil {
			return pendingResponse(r), nil
		}
		return &pendingOutput{Status: http.StatusCreated, ETag: etag(u.Version), Body: userOf(u)}, nil
	})
	documentPending(a, http.MethodPost, "/api/v1/users", http.StatusCreated, reflect.TypeFor[User]())

	register(a, huma.Operation{
		OperationID: "list-users", Method: http.MethodGet, Path: "/api/v1/users", Tags: tags,
		Summary: "List users", Description: "Users by email. A provider_admin sees its own provider's users only.",
	}, func(ctx context.Context, in *listUsersInput) (*ListOutput[User], error) {
		actor := actorFrom(ctx)
		list, next, err := a.app.Users(ctx, actor, store.UserFilter{Role: domain.Role(in.Role),
			Status: domain.UserStatus(in.Status), ProviderID: in.Provider, Query: in.Q}, in.page())
		if err != nil {
			return nil, err
		}
		return listOf(list, next, userOf), nil
	})

	register(a, huma.Operation{
		OperationID: "get-user", Method: http.MethodGet, Path: "/api/v1/users/{id}", Tags: tags,
		Summary: "Get a user", Description: "One user, with its version as ETag.",
	}, func(ctx context.Context, in *UserIDParam) (*userOutput, error) {
		u, err := a.app.User(ctx, actorFrom(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return userResponse(u), nil
	})

	register(a, huma.Operation{
		OperationID: "update-user", Method: http.MethodPatch, Path: "/api/v1/users/{id}", Tags: tags,
		Summary: "Change a user",
		Description: "Changes name, role, provider or status. The last active admin can be neither demoted nor " +
			"disabled. Disabling revokes every session and token of the user. 200 with the user when applied at once." +
			pendingDescription + " Such a change is filed whole, name included.",
	}, func(ctx context.Context, in *updateUserInput) (*pendingOutput, error) {
		version, err := ifMatch(in.IfMatch)
		if err != nil {
			return nil, err
		}
		b := in.Body
		u, r, err := a.app.UpdateUser(ctx, actorFrom(ctx), in.ID,
			store.UserChange{Name: b.Name, Role: b.Role, ProviderID: b.ProviderID, Status: b.Status}, version)
		if err != nil {
			return nil, err
		}
		if r != nil {
			return pendingResponse(r), nil
		}
		return &pendingOutput{Status: http.StatusOK, ETag: etag(u.Version), Body: userOf(u)}, nil
	})
	documentPending(a, http.MethodPatch, "/api/v1/users/{id}", http.StatusOK, reflect.TypeFor[User]())

	register(a, huma.Operation{
		OperationID: "disable-user", Method: http.MethodPost, Path: "/api/v1/users/{id}/disable", Tags: tags,
		Summary: "Disable a user",
		Description: "The user can no longer sign in; every session and token is revoked. A provider_admin may " +
			"disable provider_editor users of its own provider.",
	}, func(ctx context.Context, in *UserIDParam) (*userOutput, error) {
		u, err := a.app.DisableUser(ctx, actorFrom(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return userResponse(u), nil
	})

	register(a, huma.Operation{
		OperationID: "reset-user-password", Method: http.MethodPut, Path: "/api/v1/users/{id}/password", Tags: tags,
		Summary: "Reset a user's password",
		Description: "Sets a new password and revokes every session and token of the user: 204." + pendingDescription +
			" Such a request comes without a password. On a server that sends e-mail every reset comes without one: " +
			"the user's password stops working, their sessions and tokens end, and they are e-mailed a link, valid a " +
			"day, to choose a new one.",
		DefaultStatus: http.StatusNoContent,
	}, func(ctx context.Context, in *resetPasswordInput) (*pendingOutput, error) {
		r, err := a.app.ResetPassword(ctx, actorFrom(ctx), in.ID, in.Body.Password)
		if err != nil || r == nil {
			return nil, err
		}
		return pendingResponse(r), nil
	})
	documentPending(a, http.MethodPut, "/api/v1/users/{id}/password", http.StatusNoContent, nil)

	register(a, huma.Operation{
		OperationID: "unlock-user", Method: http.MethodPost, Path: "/api/v1/users/{id}/unlock", Tags: tags,
		Summary: "Unlock a user's sign-in",
		Description: "Clears the user's failed-attempt counters: the locks of the account from every address, its " +
			"account-wide count, and the counters of its password change and second factor. Counters of an address " +
			"alone stay. Audited as user.unlock.",
		DefaultStatus: http.StatusNoContent,
	}, func(ctx context.Context, in *UserIDParam) (*struct{}, error) {
		return nil, a.app.UnlockUser(ctx, actorFrom(ctx), in.ID)
	})

	register(a, huma.Operation{
		OperationID: "reset-user-totp", Method: http.MethodDelete, Path: "/api/v1/users/{id}/totp", Tags: tags,
		Summary: "Remove a user's second factor",
		Description: "For a lost device: removes the second factor and revokes the user's sessions and tokens: 204." +
			pendingDescription,
		DefaultStatus: http.StatusNoContent,
	}, func(ctx context.Context, in *UserIDParam) (*pendingOutput, error) {
		r, err := a.app.ResetTOTP(ctx, actorFrom(ctx), in.ID)
		if err != nil || r == nil {
			return nil, err
		}
		return pendingResponse(r), nil
	})
	documentPending(a, http.MethodDelete, "/api/v1/users/{id}/totp", http.StatusNoContent, nil)
}
