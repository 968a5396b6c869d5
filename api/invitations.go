package api

import (
	"context"
	"net/http"
	"reflect"

	"github.com/danielgtaylor/huma/v2"

	"assure/domain"
	"assure/store"
)

type inviteInput struct {
	Body struct {
		Email      string      `json:"email" maxLength:"254"`
		Name       string      `json:"name" maxLength:"200"`
		Role       domain.Role `json:"role" enum:"admin,supervisor,provider_admin,provider_editor,auditor"`
		ProviderID string      `json:"provider_id,omitempty" maxLength:"36" doc:"Required for provider roles, absent otherwise."`
		Language   string      `json:"language,omitempty" enum:"en,fr" doc:"The language of the invitation and of the account's pages; absent follows the browser, and the invitation is in English."`
	}
}

type linkInput struct {
	Body struct {
		Token    string `json:"token" maxLength:"200" doc:"The token of the link the e-mail carried."`
		Password string `json:"password" maxLength:"256" doc:"The password to set: at least 12 characters, not containing the email's name."`
	}
}

type resetRequestInput struct {
	Body struct {
		Email string `json:"email" maxLength:"254" doc:"The account's email address."`
	}
}

type acceptedOutput struct {
	Status int
	Body   struct {
		Message string `json:"message"`
	}
}

// linkDescription says what every public link operation shares.
const linkDescription = " Needs no sign-in: the link's token is the proof. A link works once and expires; a link " +
	"that does not work is 422 whatever the reason, and too many from one address are slowed, then 429 for a while. " +
	"Every session and API token of the user is revoked; a second factor stays and is asked at the next sign-in."

func (a *API) registerInvitations() {
	tags := []string{"Users"}
	register(a, huma.Operation{
		OperationID: "create-invitation", Method: http.MethodPost, Path: "/api/v1/invitations", Tags: tags,
		Summary: "Invite a user by e-mail",
		Description: "Creates the user without a password and e-mails them a single-use link, valid a week, to choose " +
			"their own and then a second factor. Who may invite whom is as for create-user. 201 with the user " +
			"(awaiting_password true) when the account is created at once." + pendingDescription +
			" The approval e-mails the invitation. 409 on a server without an SMTP server.",
		DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *inviteInput) (*pendingOutput, error) {
		b := in.Body
		u, r, err := a.app.Invite(ctx, actorFrom(ctx), store.NewUser{Email: b.Email, Name: b.Name, Role: b.Role,
			ProviderID: b.ProviderID, Language: b.Language})
		if err != nil {
			return nil, err
		}
		if r != nil {
			return pendingResponse(r), nil
		}
		return &pendingOutput{Status: http.StatusCreated, ETag: etag(u.Version), Body: userOf(u)}, nil
	})
	documentPending(a, http.MethodPost, "/api/v1/invitations", http.StatusCreated, reflect.TypeFor[User]())

	register(a, huma.Operation{
		OperationID: "resend-invitation", Method: http.MethodPost, Path: "/api/v1/users/{id}/invitation", Tags: tags,
		Summary: "Send an invitation again",
		Description: "For a user who has not chosen a password yet: e-mails a new link, valid a week; the earlier one " +
			"stops working. 409 when the user has a password or the server has no SMTP server.",
	}, func(ctx context.Context, in *UserIDParam) (*userOutput, error) {
		u, err := a.app.Reinvite(ctx, actorFrom(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return userResponse(u), nil
	})

	registerPublic(a, huma.Operation{
		OperationID: "accept-invitation", Method: http.MethodPost, Path: "/api/v1/invitations/accept", Tags: tags,
		Summary:       "Accept an invitation",
		Description:   "Sets the first password of an invited account through its invitation's link: 204, then sign in." + linkDescription,
		DefaultStatus: http.StatusNoContent,
		Errors:        []int{http.StatusUnprocessableEntity, http.StatusTooManyRequests},
	}, func(ctx context.Context, in *linkInput) (*struct{}, error) {
		_, err := a.app.AcceptInvitation(ctx, actorFrom(ctx), in.Body.Token, in.Body.Password)
		return nil, err
	})

	tags = []string{"Session"}
	registerPublic(a, huma.Operation{
		OperationID: "request-password-reset", Method: http.MethodPost, Path: "/api/v1/password-resets", Tags: tags,
		Summary: "Ask for a password reset",
		Description: "E-mails the active account with this email, if there is one, a single-use link to choose a new " +
			"password, valid an hour. The answer is 202 whether or not the account exists. Requests are counted per " +
			"email, which gets no more e-mail for a while past a few (the answer still 202), and per address, which " +
			"is 429 for a while past its limit.",
		DefaultStatus: http.StatusAccepted,
		Errors:        []int{http.StatusTooManyRequests},
	}, func(ctx context.Context, in *resetRequestInput) (*acceptedOutput, error) {
		if err := a.app.RequestPasswordReset(ctx, actorFrom(ctx), in.Body.Email); err != nil {
			return nil, err
		}
		out := &acceptedOutput{Status: http.StatusAccepted}
		out.Body.Message = "if an active account has this email, a link to choose a new password is on its way"
		return out, nil
	})

	registerPublic(a, huma.Operation{
		OperationID: "confirm-password-reset", Method: http.MethodPost, Path: "/api/v1/password-resets/confirm", Tags: tags,
		Summary:       "Choose a new password through a reset link",
		Description:   "Sets the new password through the link of a password reset: 204, then sign in." + linkDescription,
		DefaultStatus: http.StatusNoContent,
		Errors:        []int{http.StatusUnprocessableEntity, http.StatusTooManyRequests},
	}, func(ctx context.Context, in *linkInput) (*struct{}, error) {
		_, err := a.app.ResetPasswordWithLink(ctx, actorFrom(ctx), in.Body.Token, in.Body.Password)
		return nil, err
	})
}
