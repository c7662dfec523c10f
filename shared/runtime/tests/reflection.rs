//! What grpcurl and partners' tooling rely on: every server lists its services through
//! reflection and serves the vipcare contracts' descriptors, imports included, so a client can
//! be built with no proto files at hand.

use tokio_stream::StreamExt;
use tonic::transport::Endpoint;
use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;
use tonic_reflection::pb::v1::{ServerReflectionRequest, ServerReflectionResponse};
use vipcare_runtime::server::{GrpcServer, bind};
use vipcare_runtime::settings::ServerSettings;

async fn ask(
    client: &mut ServerReflectionClient<tonic::transport::Channel>,
    request: MessageRequest,
) -> MessageResponse {
    let outbound = tokio_stream::iter([ServerReflectionRequest {
        host: String::new(),
        message_request: Some(request),
    }]);
    let mut answers = client
        .server_reflection_info(outbound)
        .await
        .unwrap()
        .into_inner();
    let answer: ServerReflectionResponse = answers.next().await.unwrap().unwrap();
    answer.message_response.unwrap()
}

#[tokio::test]
async fn reflection_lists_services_and_serves_the_contracts() {
    let listener = bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server =
        GrpcServer::new(&ServerSettings::default()).serving("vipcare.gateway.v1.ChannelService");
    tokio::spawn(server.serve(listener, std::future::pending()));
    let channel = Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut client = ServerReflectionClient::new(channel);

    let MessageResponse::ListServicesResponse(list) =
        ask(&mut client, MessageRequest::ListServices(String::new())).await
    else {
        panic!("ListServices answered with something else");
    };
    let names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
    assert!(
        names.iter().any(|n| n == "grpc.health.v1.Health"),
        "{names:?}"
    );

    for symbol in [
        "vipcare.profile.v1.ProfileService",
        "vipcare.gateway.v1.ChannelService",
    ] {
        let answer = ask(
            &mut client,
            MessageRequest::FileContainingSymbol(symbol.into()),
        )
        .await;
        let MessageResponse::FileDescriptorResponse(files) = answer else {
            panic!("{symbol}: no descriptor: {answer:?}");
        };
        assert!(!files.file_descriptor_proto.is_empty(), "{symbol}");
    }
    let answer = ask(
        &mut client,
        MessageRequest::FileByFilename("google/protobuf/field_mask.proto".into()),
    )
    .await;
    assert!(
        matches!(answer, MessageResponse::FileDescriptorResponse(_)),
        "imports are served too: {answer:?}"
    );
}
