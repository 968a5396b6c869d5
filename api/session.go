package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"assure/domain"
	"assure/store"
)

// User is a user as the API shows it.
type User struct {
	ID          string      `json:"id" format:"uuid"`
	Email       string      `json:"email" format:"email"`
	Name        string      `json:"name"`
	Role        domain.Role `json:"role" enum:"admin,supervisor,provider_admin,provider_editor,auditor"`
	ProviderID  string      `json:"provider_id,omitempty" format:"uuid" doc:"The provider of a provider role."`
	Status      string      `json:"status" enum:"active,disabled"`
	TOTPEnabled bool        `json:"totp_enabled" doc:"Whether sign-in needs a one-time code."`
	// AwaitingPassword: invited and not yet joined, or reset by e-mail.
	AwaitingPassword bool      `json:"awaiting_password" doc:"The user has no password yet: an invitation or a reset link e-mailed to them is waiting."`
	Language         string    `json:"language,omitempty" doc:"The user's language (en, fr); absent follows the browser."`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
	Version          int       `json:"version" doc:"Changes with every update; sent as the ETag."`
}

func userOf(u domain.User) User {
	return User{ID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role, ProviderID: u.ProviderID,
		Status: string(u.Status), TOTPEnabled: u.TOTPEnabled, AwaitingPassword: u.AwaitingPassword, Language: u.Language,
		CreatedAt: u.CreatedAt.UTC(),
		UpdatedAt: u.UpdatedAt.UTC(), Version: u.Version}
}

type loginInput struct {
	Body struct {
		Email    string `json:"email" maxLength:"254" doc:"The account's email address."`
		Password string `json:"password" maxLength:"256"`
		OTP      string `json:"otp,omitempty" maxLength:"10" doc:"The current one-time code, for accounts with a second factor."`
	}
}

type loginOutput struct {
	SetCookie http.Cookie `header:"Set-Cookie"`
	Body      struct {
		Token     string    `json:"token" doc:"Send as Authorization: Bearer <token>; also set as the session cookie."`
		ExpiresAt time.Time `json:"expires_at" doc:"The latest time the session can last; it ends sooner when left idle."`
		User      User      `json:"user"`
	}
}

type logoutOutput struct {
	SetCookie http.Cookie `header:"Set-Cookie"`
}

// Me is the signed-in user.
type Me struct {
	User
	MustEnrolTOTP      bool `json:"must_enrol_totp" doc:"The role requires a second factor that is not enrolled yet; nothing else is allowed until it is."`
	MustChangePassword bool `json:"must_change_password" doc:"The password was set by an administrator; nothing else is allowed until it is changed at PUT /api/v1/me/password."`
}

type meOutput struct {
	Body Me
}

type passwordChangeInput struct {
	Body struct {
		CurrentPassword string `json:"current_password" maxLength:"256"`
		NewPassword     string `json:"new_password" maxLength:"256"`
	}
}

type totpStartOutput struct {
	Body struct {
		Secret     string `json:"secret" doc:"The base32 secret, for manual entry."`
		OTPAuthURL string `json:"otpauth_url" doc:"The otpauth:// URL, for a QR code."`
	}
}

type totpCodeInput struct {
	Body struct {
		Code string `json:"code" minLength:"6" maxLength:"6" pattern:"^[0-9]{6}$" doc:"A current code from the authenticator."`
	}
}

// Token is a personal API token, without its secret.
type Token struct {
	ID         string     `json:"id" format:"uuid"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt time.Time  `json:"last_used_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

func tokenOf(t store.APIToken) Token {
	return Token{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt.UTC(), LastUsedAt: t.LastUsedAt.UTC(),
		ExpiresAt: t.ExpiresAt.UTC(), RevokedAt: t.RevokedAt}
}

type createTokenInput struct {
	Body struct {
		Name      string    `json:"name" minLength:"1" maxLength:"100" doc:"What the token is for, e.g. the filing system's name."`
		ExpiresAt time.Time `json:"expires_at" doc:"When the token stops working; at most 366 days ahead."`
	}
}

type createTokenOutput struct {
	Body struct {
		Token
		Secret string `json:"token" doc:"The token itself, shown only now. Send as Authorization: Bearer <token>."`
	}
}

type tokenIDInput struct {
	ID string `path:"id" maxLength:"64" doc:"Token id."`
}

func (a *API) sessionCookie(value string, expires time.Time) http.Cookie {
	c := http.Cookie{Name: SessionCookie, Value: value, Path: "/", HttpOnly: true, Secure: a.secure,
		SameSite: http.SameSiteLaxMode}
	if value == "" {
		c.MaxAge = -1
	} else {
		c.Expires = expires
	}
	return c
}

func (a *API) registerSession() {
	tags := []string{"Session"}
	registerPublic(a, huma.Operation{
		OperationID: "login", Method: http.MethodPost, Path: "/api/v1/session", Tags: tags,
		Summary: "Sign in",
		Description: "Checks the email, password and (when enrolled) one-time code and opens a session. Repeated " +
			"failures for an account or from an address slow the answers and then lock sign-in for a while; " +
			"the answer never tells whether an account exists.",
		Errors: []int{http.StatusUnauthorized, http.StatusTooManyRequests},
	}, func(ctx context.Context, in *loginInput) (*loginOutput, error) {
		actor := actorFrom(ctx)
		s, err := a.app.Login(ctx, actor, store.Credentials{Email: in.Body.Email, Password: in.Body.Password,
			OTP: in.Body.OTP, Address: actor.Address})
		if err != nil {
			return nil, err
		}
		out := &loginOutput{SetCookie: a.sessionCookie(s.Token, s.ExpiresAt)}
		out.Body.Token, out.Body.ExpiresAt, out.Body.User = s.Token, s.ExpiresAt.UTC(), userOf(s.User)
		return out, nil
	})

	register(a, huma.Operation{
		OperationID: "logout", Method: http.MethodDelete, Path: "/api/v1/session", Tags: tags,
		Summary: "Sign out", Description: "Revokes the session or token used for this request and clears the cookie.",
		DefaultStatus: http.StatusNoContent,
	}, func(ctx context.Context, _ *struct{}) (*logoutOutput, error) {
		if err := a.app.Logout(ctx, actorFrom(ctx)); err != nil {
			return nil, err
		}
		return &logoutOutput{SetCookie: a.sessionCookie("", time.Time{})}, nil
	})

	register(a, huma.Operation{
		OperationID: "get-me", Method: http.MethodGet, Path: "/api/v1/me", Tags: tags,
		Summary: "Who am I", Description: "The signed-in user.",
	}, func(ctx context.Context, _ *struct{}) (*meOutput, error) {
		actor := actorFrom(ctx)
		u, err := a.app.Me(ctx, actor)
		if err != nil {
			return nil, err
		}
		return &meOutput{Body: Me{User: userOf(u), MustEnrolTOTP: actor.MustEnrolTOTP, MustChangePassword: actor.MustChangePassword}}, nil
	})

	register(a, huma.Operation{
		OperationID: "change-my-password", Method: http.MethodPut, Path: "/api/v1/me/password", Tags: tags,
		Summary:       "Change my password",
		Description:   "Checks the current password, sets the new one and revokes every session and token of the account, this one included.",
		DefaultStatus: http.StatusNoContent,
	}, func(ctx context.Context, in *passwordChangeInput) (*logoutOutput, error) {
		if err := a.app.ChangePassword(ctx, actorFrom(ctx), in.Body.CurrentPassword, in.Body.NewPassword); err != nil {
			return nil, err
		}
		return &logoutOutput{SetCookie: a.sessionCookie("", time.Time{})}, nil
	})

	register(a, huma.Operation{
		OperationID: "start-totp", Method: http.MethodPost, Path: "/api/v1/me/totp", Tags: tags,
		Summary: "Enrol a second factor",
		Description: "Creates a TOTP (RFC 6238) secret for an authenticator app. Confirm it with a code to turn it " +
			"on; from then on every sign-in needs a code.",
	}, func(ctx context.Context, _ *struct{}) (*totpStartOutput, error) {
		secret, url, err := a.app.StartTOTP(ctx, actorFrom(ctx))
		if err != nil {
			return nil, err
		}
		out := &totpStartOutput{}
		out.Body.Secret, out.Body.OTPAuthURL = secret, url
		return out, nil
	})

	register(a, huma.Operation{
		OperationID: "confirm-totp", Method: http.MethodPost, Path: "/api/v1/me/totp/confirm", Tags: tags,
		Summary: "Confirm the second factor", Description: "Turns the enrolled second factor on with a current code.",
		DefaultStatus: http.StatusNoContent,
	}, func(ctx context.Context, in *totpCodeInput) (*struct{}, error) {
		return nil, a.app.ConfirmTOTP(ctx, actorFrom(ctx), in.Body.Code)
	})

	register(a, huma.Operation{
		OperationID: "disable-totp", Method: http.MethodPost, Path: "/api/v1/me/totp/disable", Tags: tags,
		Summary: "Remove the second factor", Description: "Removes the second factor after checking a current code; refused when the role requires one.",
		DefaultStatus: http.StatusNoContent,
	}, func(ctx context.Context, in *totpCodeInput) (*struct{}, error) {
		return nil, a.app.RemoveTOTP(ctx, actorFrom(ctx), in.Body.Code)
	})

	tags = []string{"Tokens"}
	register(a, huma.Operation{
		OperationID: "create-token", Method: http.MethodPost, Path: "/api/v1/tokens", Tags: tags,
		Summary: "Create a personal API token",
		Description: "For machine-to-machine filing. The token acts with its owner's role and is shown only in " +
			"this answer; Assure keeps only its hash.",
		DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *createTokenInput) (*createTokenOutput, error) {
		secret, t, err := a.app.CreateAPIToken(ctx, actorFrom(ctx), in.Body.Name, in.Body.ExpiresAt)
		if err != nil {
			return nil, err
		}
		out := &createTokenOutput{}
		out.Body.Token, out.Body.Secret = tokenOf(t), secret
		return out, nil
	})

	register(a, huma.Operation{
		OperationID: "list-tokens", Method: http.MethodGet, Path: "/api/v1/tokens", Tags: tags,
		Summary: "List my API tokens", Description: "The caller's personal API tokens, newest first, revoked ones included.",
	}, func(ctx context.Context, in *ListParams) (*ListOutput[Token], error) {
		list, next, err := a.app.APITokens(ctx, actorFrom(ctx), in.page())
		if err != nil {
			return nil, err
		}
		return listOf(list, next, tokenOf), nil
	})

	register(a, huma.Operation{
		OperationID: "revoke-token", Method: http.MethodDelete, Path: "/api/v1/tokens/{id}", Tags: tags,
		Summary: "Revoke an API token", Description: "Revokes one of the caller's personal API tokens.",
		DefaultStatus: http.StatusNoContent,
	}, func(ctx context.Context, in *tokenIDInput) (*struct{}, error) {
		return nil, a.app.RevokeAPIToken(ctx, actorFrom(ctx), in.ID)
	})
}
