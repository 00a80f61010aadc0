package org.diskfarm.testkit.vm;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

class IpxeScriptServerTest {
    @Test
    void servesTheScriptOnLoopbackAndRecordsRequests() throws Exception {
        try (IpxeScriptServer server = new IpxeScriptServer("#!ipxe\necho hi\n");
             HttpClient client = HttpClient.newHttpClient()) {
            String base = "http://127.0.0.1:" + server.port();
            HttpResponse<String> script = client.send(HttpRequest.newBuilder(URI.create(base + "/boot.ipxe")).build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> other = client.send(HttpRequest.newBuilder(URI.create(base + "/other")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(script.statusCode()).isEqualTo(200);
            assertThat(script.body()).isEqualTo("#!ipxe\necho hi\n");
            assertThat(other.statusCode()).isEqualTo(404);
            assertThat(server.requests()).containsExactly("GET /boot.ipxe 200", "GET /other 404");
            assertThat(server.guestUrl()).isEqualTo("http://10.0.2.2:" + server.port() + "/boot.ipxe");
        }
    }
}
