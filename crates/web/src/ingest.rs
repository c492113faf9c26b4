//! Group commit for survey responses: the public page hands each checked response to one
//! writer task, which takes everything waiting (up to a batch), writes it in one transaction
//! (`Store::record_responses`) and only then answers each request — so every acknowledged
//! response is durable, and a burst of citizens costs one commit instead of one each (SQLite
//! has a single writer; on PostgreSQL it saves round trips). If a batch fails, its responses are
//! retried one by one so that one bad response cannot fail the others.

use std::sync::OnceLock;

use parindex_store::repo::surveys::ResponseIn;
use parindex_store::{Store, StoreError};
use tokio::sync::{mpsc, oneshot};

/// The most responses written in one transaction.
const BATCH: usize = 512;

struct Job {
    survey_id: i64,
    response: ResponseIn,
    done: oneshot::Sender<Result<(), StoreError>>,
}

/// The writer's queue; started on first use (inside the server's runtime).
pub struct Ingest {
    store: Store,
    tx: OnceLock<mpsc::Sender<Job>>,
}

impl Ingest {
    pub fn new(store: Store) -> Ingest {
        Ingest { store, tx: OnceLock::new() }
    }

    fn sender(&self) -> &mpsc::Sender<Job> {
        self.tx.get_or_init(|| {
            let (tx, rx) = mpsc::channel(16 * BATCH);
            tokio::spawn(writer(self.store.clone(), rx));
            tx
        })
    }

    /// Write one response; returns once it is committed (or refused).
    pub async fn submit(&self, survey_id: i64, response: ResponseIn) -> Result<(), StoreError> {
        let (done, wait) = oneshot::channel();
        let closed = || {
            StoreError::Conflict(parindex_core::Msg::new(
                "Hệ thống đang bận; xin gửi lại sau ít phút.",
                "The system is busy; please send again in a few minutes.",
            ))
        };
        self.sender().send(Job { survey_id, response, done }).await.map_err(|_| closed())?;
        wait.await.map_err(|_| closed())?
    }
}

async fn writer(store: Store, mut rx: mpsc::Receiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < BATCH {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        // one transaction per survey in the batch
        let mut by_survey: Vec<(i64, Vec<Job>)> = Vec::new();
        for j in jobs {
            match by_survey.iter_mut().find(|(s, _)| *s == j.survey_id) {
                Some((_, v)) => v.push(j),
                None => by_survey.push((j.survey_id, vec![j])),
            }
        }
        for (survey_id, jobs) in by_survey {
            let batch: Vec<ResponseIn> = jobs.iter().map(|j| j.response.clone()).collect();
            match store.record_responses(survey_id, batch).await {
                Ok(()) => {
                    for j in jobs {
                        let _ = j.done.send(Ok(()));
                    }
                }
                Err(e) if jobs.len() == 1 => {
                    let j = jobs.into_iter().next().expect("one job");
                    let _ = j.done.send(Err(e));
                }
                Err(_) => {
                    for j in jobs {
                        let r = store.record_responses(survey_id, vec![j.response.clone()]).await;
                        let _ = j.done.send(r);
                    }
                }
            }
        }
    }
}
