//! Signed requests: presigned SigV4 URLs from `rusty-s3`, sent with `ureq` so that status codes,
//! headers and S3 error codes reach the classifier untouched.

use super::*;

/// How long a presigned request stays valid.
pub(super) const SIGNATURE_LIFETIME: Duration = Duration::from_secs(300);

/// How many bytes of an object to fetch.
pub(super) const READ_BYTES: u64 = 64 * 1024;

/// The answer to one request.
pub(super) struct Answer {
    pub(super) status: u16,
    pub(super) bucket_region: Option<String>,
    /// The `ETag` header (an uploaded part's, for completing a multipart upload).
    pub(super) etag: Option<String>,
    pub(super) body: Vec<u8>,
}

/// Sends requests for one target.
pub(super) struct Client<'a> {
    pub(super) target: &'a Target,
    pub(super) credentials: Option<Credentials>,
    pub(super) agent: ureq::Agent,
}

impl<'a> Client<'a> {
    pub(super) fn new(target: &'a Target) -> Self {
        let credentials = target.keys.as_ref().map(|k| match &k.session_token {
            Some(token) => Credentials::new_with_token(
                k.access_key_id.expose(),
                k.secret_access_key.expose(),
                token.expose(),
            ),
            None => Credentials::new(k.access_key_id.expose(), k.secret_access_key.expose()),
        });
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_global(Some(Duration::from_secs(60)))
            .user_agent(concat!("k8s-s3-spark/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Self {
            target,
            credentials,
            agent,
        }
    }

    pub(super) fn bucket(&self, name: &str) -> Result<Bucket, Box<Diagnostic>> {
        let style = if self.target.path_style {
            UrlStyle::Path
        } else {
            UrlStyle::VirtualHost
        };
        Bucket::new(
            self.target.endpoint.clone(),
            style,
            name.to_string(),
            self.target.region.clone(),
        )
        .map_err(|e| Box::new(failure(Code::S3Failed, e.to_string(), "virtual-hosted style needs a DNS host name and a bucket name without dots: set spec.s3.pathStyleAccess: true (or --path-style)".into())))
    }

    pub(super) fn send(&self, url: &Url, range: Option<u64>) -> Result<Answer, Box<Diagnostic>> {
        let mut request = self.agent.get(url.as_str());
        if let Some(last) = range {
            request = request.header("Range", format!("bytes=0-{last}"));
        }
        self.answer(request.call())
    }

    /// Signs and sends `action` with `body` (for PUT and POST).
    pub(super) fn act<'b, A: S3Action<'b>>(
        &self,
        action: &A,
        body: &[u8],
    ) -> Result<Answer, Box<Diagnostic>> {
        let url = action.sign(SIGNATURE_LIFETIME);
        let url = url.as_str();
        self.answer(match A::METHOD {
            Method::Put => self.agent.put(url).send(body),
            Method::Post => self.agent.post(url).send(body),
            Method::Delete => self.agent.delete(url).call(),
            Method::Head => self.agent.head(url).call(),
            Method::Get => self.agent.get(url).call(),
        })
    }

    pub(super) fn answer(
        &self,
        result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<Answer, Box<Diagnostic>> {
        let mut response = result.map_err(|e| Box::new(transport_failure(&e, self.target)))?;
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let bucket_region = header("x-amz-bucket-region");
        let etag = header("etag");
        let mut body = Vec::new();
        response
            .body_mut()
            .as_reader()
            .take(READ_BYTES + 1)
            .read_to_end(&mut body)
            .map_err(|e| Box::new(transport_failure(&ureq::Error::Io(e), self.target)))?;
        Ok(Answer {
            status,
            bucket_region,
            etag,
            body,
        })
    }
}
