//! Routes and their documentation registered together (issue #16, part 6): `route!(handler)`
//! reads the path and methods from the handler's `#[utoipa::path]` annotation, adds the route
//! to the axum router and the operation (with the schemas it names) to the OpenAPI document.
//! A route cannot exist without its documentation, nor a documented operation without its
//! route, and a path parameter's name is the same in both. (utoipa-axum does this for utoipa 5;
//! this crate is on utoipa 6.)

use axum::Router;
use axum::handler::Handler;
use axum::routing::{MethodFilter, on};
use utoipa::openapi::path::{HttpMethod, Paths};
use utoipa::openapi::{RefOr, Schema};

use crate::AppState;

/// Where the API router is nested: annotations carry the full path.
pub const PREFIX: &str = "/api/v1";

/// An axum router and the OpenAPI paths of what it serves.
pub struct ApiRouter {
    router: Router<AppState>,
    paths: Paths,
    schemas: Schemas,
}

/// Named schemas the operations refer to.
pub type Schemas = Vec<(String, RefOr<Schema>)>;

impl Default for ApiRouter {
    fn default() -> Self {
        ApiRouter { router: Router::new(), paths: Paths::new(), schemas: Vec::new() }
    }
}

fn filter(m: &HttpMethod) -> MethodFilter {
    match m {
        HttpMethod::Get => MethodFilter::GET,
        HttpMethod::Post => MethodFilter::POST,
        HttpMethod::Put => MethodFilter::PUT,
        HttpMethod::Delete => MethodFilter::DELETE,
        HttpMethod::Patch => MethodFilter::PATCH,
        HttpMethod::Head => MethodFilter::HEAD,
        HttpMethod::Options => MethodFilter::OPTIONS,
        HttpMethod::Trace => MethodFilter::TRACE,
    }
}

impl ApiRouter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Serve `handler` where its annotation `P` says, and document it. Use [`route!`].
    pub fn documented<P, H, T>(mut self, handler: H) -> Self
    where
        P: utoipa::Path + utoipa::__dev::SchemaReferences + for<'t> utoipa::__dev::Tags<'t>,
        H: Handler<T, AppState>,
        T: 'static,
    {
        let path = P::path();
        let under = path.strip_prefix(PREFIX).unwrap_or_else(|| panic!("the API path {path} is not under {PREFIX}"));
        for m in P::methods() {
            self.router = self.router.route(under, on(filter(&m), handler.clone()));
        }
        let mut operation = P::operation();
        // the annotation's `tag = …` (the OpenApi derive applies it the same way)
        let tags: Vec<String> = P::tags().into_iter().map(str::to_string).collect();
        if !tags.is_empty() {
            operation.tags.get_or_insert_with(Vec::new).extend(tags);
        }
        self.paths.add_path_operation(&path, P::methods(), operation);
        P::schemas(&mut self.schemas);
        self
    }

    /// Routes served but deliberately not in the document: only the document itself.
    pub fn undocumented(mut self, path: &str, route: axum::routing::MethodRouter<AppState>) -> Self {
        self.router = self.router.route(path, route);
        self
    }

    /// `.with(route!(handler))`.
    pub fn with(self, add: impl FnOnce(Self) -> Self) -> Self {
        add(self)
    }

    pub fn merge(mut self, other: ApiRouter) -> Self {
        self.router = self.router.merge(other.router);
        self.paths.merge(other.paths);
        self.schemas.extend(other.schemas);
        self
    }

    /// The axum router (nested at [`PREFIX`] by the caller) and the paths and schemas of the
    /// document.
    pub fn into_parts(self) -> (Router<AppState>, Paths, Schemas) {
        (self.router, self.paths, self.schemas)
    }
}

/// `.with(route!(handler))`: the handler (in scope) with its `#[utoipa::path]`.
macro_rules! route {
    ($f:ident) => {
        paste::paste! { |r: $crate::api::routes::ApiRouter| r.documented::<[<__path_ $f>], _, _>($f) }
    };
}
pub(crate) use route;
