//! What a survey is and how a response is scored, free of transport and storage.
