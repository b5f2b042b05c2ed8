//! `docker events`: the daemon's event stream, typed.

use crate::client::Docker;
use crate::filters::Filters;
use crate::raw::types::op;
use crate::stream::JsonStream;

/// Builder of `GET /events`.
#[derive(Debug)]
pub struct Events {
    docker: Docker,
    since: Option<String>,
    until: Option<String>,
    filters: Filters,
}

impl Events {
    fn new(docker: Docker) -> Events {
        Events {
            docker,
            since: None,
            until: None,
            filters: Filters::default(),
        }
    }

    /// Events from this time on (UNIX seconds, or a duration the daemon understands such as `10m`).
    pub fn since(mut self, since: impl ToString) -> Self {
        self.since = Some(since.to_string());
        self
    }

    /// Stop at this time; without it the stream stays open.
    pub fn until(mut self, until: impl ToString) -> Self {
        self.until = Some(until.to_string());
        self
    }

    crate::models::filter_setters! {
        /// Only events of this kind of object: `container`, `image`, `network`, `volume`, ...
        object_type => "type",
        /// Only this action: `create`, `start`, `die`, `destroy`, `pull`, ...
        action => "event",
        /// Only events of this container (id or name).
        container => "container",
        /// Only events of objects with this label (`key` or `key=value`).
        label => "label",
    }

    /// The events as a `Stream`. Nothing is sent until it is first polled; dropping it
    /// closes the connection.
    ///
    /// The integration test `events_show_a_container_created_here` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use futures_util::StreamExt;
    /// let events = docker.events().object_type("container").action("die").since("10m");
    /// let mut events = events.stream();
    /// while let Some(event) = events.next().await {
    ///     let event = event?;
    ///     println!("{:?} {:?}", event.action, event.actor.and_then(|a| a.id));
    /// }
    /// # Ok(()) }
    /// ```
    #[inline]
    pub fn stream(self) -> JsonStream<op::system_events::Item> {
        let Events {
            docker,
            since,
            until,
            filters,
        } = self;
        let body = async move {
            let capture = docker.capture_stream();
            let mut call = capture.raw().system_events();
            if let Some(v) = since {
                call = call.since(v);
            }
            if let Some(v) = until {
                call = call.until(v);
            }
            if let Some(v) = filters.to_query() {
                call = call.filters(v);
            }
            let body: crate::stream::demux::ByteSource =
                Box::pin(capture.stream(call.send()).await?.body);
            Ok::<_, crate::Error>(body)
        };
        JsonStream::connecting(body)
    }
}

impl Docker {
    /// `docker events`: a builder; `.stream()` gives typed events as they happen.
    ///
    /// The integration test `events_show_a_container_created_here` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use futures_util::StreamExt;
    /// let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
    /// let last_hour = docker.events().label("app=web").since(now.as_secs() - 3600);
    /// let mut past = last_hour.until(now.as_secs()).stream();
    /// while let Some(event) = past.next().await {
    ///     println!("{:?}", event?);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn events(&self) -> Events {
        Events::new(self.clone())
    }
}
