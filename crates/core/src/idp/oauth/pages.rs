//! What the managed login pages show and are sent, as data: the server renders a [`Page`] as
//! HTML and reads a posted form into a [`Form`]. Field names follow Cognito's classic pages
//! where they are known (docs/research/classic-hosted-ui.md).

use crate::idp::oauth::HostedAnswer;
use std::collections::BTreeMap;

/// Where a managed login request goes on.
#[derive(Debug)]
pub enum HostedStep {
    /// A redirect, or Cognito's error page.
    Go(HostedAnswer),
    /// A page to show.
    Show(Box<Page>),
    /// The browser signed in: on to the app, keeping `browser` (the `cognito` cookie's value)
    /// so that the next authorize skips the form.
    SignedIn { answer: HostedAnswer, browser: String },
    /// The browser's session ended (`/logout`): its cookie is cleared.
    SignedOut(HostedAnswer),
}

/// A page asked for by `GET`.
#[derive(Debug, Clone)]
pub enum PageKind {
    Login,
    SignUp,
    /// `/confirm?username=`: a code sent at sign-up, entered later.
    Confirm {
        username: String,
    },
    ForgotPassword,
}

/// A page, with what every page shows around its form.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub view: View,
    /// Why the last form was refused, shown beside it.
    pub error: Option<String>,
    /// What the last step did ("We have sent a code...").
    pub notice: Option<String>,
    /// The client's identity providers other than the pool's own users, each a button.
    pub providers: Vec<String>,
    /// The client lists `COGNITO`: the username and password form is shown.
    pub password_sign_in: bool,
    /// Users may sign themselves up (the pool is not admin-only).
    pub sign_up: bool,
    /// The classic UI customization's CSS (client's, else the pool's), already limited to
    /// Cognito's `-customizable` classes.
    pub css: Option<String>,
    /// Its logo, as a `data:` URI: the pages load nothing from elsewhere.
    pub logo: Option<String>,
}

/// The form a page holds.
#[derive(Debug, Clone, PartialEq)]
pub enum View {
    SignIn {
        username: String,
    },
    /// NEW_PASSWORD_REQUIRED, with the required attributes the user has no value for.
    NewPassword {
        session: String,
        username: String,
        required: Vec<String>,
    },
    /// SMS_MFA, EMAIL_OTP or SOFTWARE_TOKEN_MFA: a code to enter.
    Code {
        challenge: String,
        session: String,
        username: String,
        destination: Option<String>,
    },
    /// SELECT_MFA_TYPE.
    SelectMfa {
        session: String,
        username: String,
        options: Vec<String>,
    },
    /// MFA_SETUP with an authenticator app: the secret, and its `otpauth://` URI for a QR code.
    TotpSetup {
        session: String,
        username: String,
        secret: String,
        uri: String,
    },
    SignUp {
        /// What the username field asks for: `Username`, or `Email` / `Phone number` when
        /// the pool signs users in by that instead.
        username_label: String,
        /// The pool's required attributes other than the one the username already is.
        attributes: Vec<String>,
        username: String,
        values: BTreeMap<String, String>,
        /// The client's terms of use and privacy policy links, once it has both (CreateTerms).
        terms: Option<(String, String)>,
    },
    /// The code sent at sign-up. `ticket` ties the page to the sign-up in this browser, which
    /// signs the user in once confirmed.
    Confirm {
        username: String,
        destination: Option<String>,
        ticket: Option<String>,
    },
    ForgotPassword,
    ConfirmForgotPassword {
        username: String,
        destination: Option<String>,
    },
}

/// A form the pages post.
#[derive(Debug, Clone)]
pub enum Form {
    SignIn {
        username: String,
        password: String,
    },
    /// The answer to a sign-in challenge: the page's hidden `challenge`, `session` and
    /// `username`, and what the user entered (`code`, `password`, `requiredAttributes[...]`,
    /// `mfa_type`), as posted.
    Challenge(BTreeMap<String, String>),
    SignUp {
        username: String,
        password: String,
        attributes: Vec<(String, String)>,
    },
    Confirm {
        username: String,
        code: String,
        ticket: Option<String>,
    },
    Resend {
        username: String,
        ticket: Option<String>,
    },
    ForgotPassword {
        username: String,
    },
    ConfirmForgotPassword {
        username: String,
        code: String,
        password: String,
        confirm: String,
    },
}
