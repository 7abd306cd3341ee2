import * as $protobuf from "protobufjs";
import Long = require("long");
/** Namespace im. */
export namespace im {

    /** Properties of a Connect. */
    interface IConnect {

        /** Connect protocolVersion */
        protocolVersion?: (number|null);

        /** Connect token */
        token?: (string|null);

        /** Connect deviceId */
        deviceId?: (string|null);

        /** Connect platform */
        platform?: (string|null);
    }

    /** Represents a Connect. */
    class Connect implements IConnect {

        /**
         * Constructs a new Connect.
         * @param [properties] Properties to set
         */
        constructor(properties?: im.IConnect);

        /** Connect protocolVersion. */
        public protocolVersion: number;

        /** Connect token. */
        public token: string;

        /** Connect deviceId. */
        public deviceId: string;

        /** Connect platform. */
        public platform: string;

        /**
         * Encodes the specified Connect message. Does not implicitly {@link im.Connect.verify|verify} messages.
         * @param message Connect message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        public static encode(message: im.IConnect, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a Connect message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns Connect
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): im.Connect;
    }

    /** Properties of a ConnAck. */
    interface IConnAck {

        /** ConnAck code */
        code?: (number|null);

        /** ConnAck userId */
        userId?: (string|null);

        /** ConnAck sessionId */
        sessionId?: (string|null);

        /** ConnAck serverTime */
        serverTime?: (number|null);

        /** ConnAck heartbeatSeconds */
        heartbeatSeconds?: (number|null);

        /** ConnAck tokenExpiresAt */
        tokenExpiresAt?: (number|null);

        /** ConnAck latestCursor */
        latestCursor?: (number|null);
    }

    /** Represents a ConnAck. */
    class ConnAck implements IConnAck {

        /**
         * Constructs a new ConnAck.
         * @param [properties] Properties to set
         */
        constructor(properties?: im.IConnAck);

        /** ConnAck code. */
        public code: number;

        /** ConnAck userId. */
        public userId: string;

        /** ConnAck sessionId. */
        public sessionId: string;

        /** ConnAck serverTime. */
        public serverTime: number;

        /** ConnAck heartbeatSeconds. */
        public heartbeatSeconds: number;

        /** ConnAck tokenExpiresAt. */
        public tokenExpiresAt: number;

        /** ConnAck latestCursor. */
        public latestCursor: number;

        /**
         * Encodes the specified ConnAck message. Does not implicitly {@link im.ConnAck.verify|verify} messages.
         * @param message ConnAck message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        public static encode(message: im.IConnAck, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a ConnAck message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns ConnAck
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): im.ConnAck;
    }

    /** Properties of a Message. */
    interface IMessage {

        /** Message messageUid */
        messageUid?: (string|null);

        /** Message clientMsgId */
        clientMsgId?: (string|null);

        /** Message conversationType */
        conversationType?: (number|null);

        /** Message targetId */
        targetId?: (string|null);

        /** Message senderUserId */
        senderUserId?: (string|null);

        /** Message objectName */
        objectName?: (string|null);

        /** Message content */
        content?: (Uint8Array|null);

        /** Message sentTime */
        sentTime?: (number|null);

        /** Message seq */
        seq?: (number|null);

        /** Message cursor */
        cursor?: (number|null);

        /** Message counted */
        counted?: (boolean|null);

        /** Message persisted */
        persisted?: (boolean|null);
    }

    /** Represents a Message. */
    class Message implements IMessage {

        /**
         * Constructs a new Message.
         * @param [properties] Properties to set
         */
        constructor(properties?: im.IMessage);

        /** Message messageUid. */
        public messageUid: string;

        /** Message clientMsgId. */
        public clientMsgId: string;

        /** Message conversationType. */
        public conversationType: number;

        /** Message targetId. */
        public targetId: string;

        /** Message senderUserId. */
        public senderUserId: string;

        /** Message objectName. */
        public objectName: string;

        /** Message content. */
        public content: Uint8Array;

        /** Message sentTime. */
        public sentTime: number;

        /** Message seq. */
        public seq: number;

        /** Message cursor. */
        public cursor: number;

        /** Message counted. */
        public counted: boolean;

        /** Message persisted. */
        public persisted: boolean;

        /**
         * Encodes the specified Message message. Does not implicitly {@link im.Message.verify|verify} messages.
         * @param message Message message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        public static encode(message: im.IMessage, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a Message message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns Message
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): im.Message;
    }

    /** Properties of an Outgoing. */
    interface IOutgoing {

        /** Outgoing clientMsgId */
        clientMsgId?: (string|null);

        /** Outgoing conversationType */
        conversationType?: (number|null);

        /** Outgoing targetId */
        targetId?: (string|null);

        /** Outgoing objectName */
        objectName?: (string|null);

        /** Outgoing content */
        content?: (Uint8Array|null);

        /** Outgoing counted */
        counted?: (boolean|null);

        /** Outgoing persisted */
        persisted?: (boolean|null);

        /** Outgoing senderUserId */
        senderUserId?: (string|null);

        /** Outgoing priority */
        priority?: (number|null);
    }

    /** Represents an Outgoing. */
    class Outgoing implements IOutgoing {

        /**
         * Constructs a new Outgoing.
         * @param [properties] Properties to set
         */
        constructor(properties?: im.IOutgoing);

        /** Outgoing clientMsgId. */
        public clientMsgId: string;

        /** Outgoing conversationType. */
        public conversationType: number;

        /** Outgoing targetId. */
        public targetId: string;

        /** Outgoing objectName. */
        public objectName: string;

        /** Outgoing content. */
        public content: Uint8Array;

        /** Outgoing counted. */
        public counted: boolean;

        /** Outgoing persisted. */
        public persisted: boolean;

        /** Outgoing senderUserId. */
        public senderUserId: string;

        /** Outgoing priority. */
        public priority: number;

        /**
         * Encodes the specified Outgoing message. Does not implicitly {@link im.Outgoing.verify|verify} messages.
         * @param message Outgoing message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        public static encode(message: im.IOutgoing, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes an Outgoing message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns Outgoing
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): im.Outgoing;
    }

    /** Properties of a ConversationUpdate. */
    interface IConversationUpdate {

        /** ConversationUpdate conversationType */
        conversationType?: (number|null);

        /** ConversationUpdate targetId */
        targetId?: (string|null);

        /** ConversationUpdate readSeq */
        readSeq?: (number|null);

        /** ConversationUpdate removed */
        removed?: (boolean|null);

        /** ConversationUpdate time */
        time?: (number|null);

        /** ConversationUpdate peerReadSeq */
        peerReadSeq?: (number|null);

        /** ConversationUpdate peerDeliveredSeq */
        peerDeliveredSeq?: (number|null);

        /** ConversationUpdate memberReadUserId */
        memberReadUserId?: (string|null);

        /** ConversationUpdate memberReadSeq */
        memberReadSeq?: (number|null);

        /** ConversationUpdate memberDeliveredUserId */
        memberDeliveredUserId?: (string|null);

        /** ConversationUpdate memberDeliveredSeq */
        memberDeliveredSeq?: (number|null);

        /** ConversationUpdate settingsChanged */
        settingsChanged?: (boolean|null);

        /** ConversationUpdate isTop */
        isTop?: (boolean|null);

        /** ConversationUpdate muted */
        muted?: (boolean|null);

        /** ConversationUpdate clearedSeq */
        clearedSeq?: (number|null);

        /** ConversationUpdate deletedMessageUids */
        deletedMessageUids?: (string[]|null);
    }

    /** Represents a ConversationUpdate. */
    class ConversationUpdate implements IConversationUpdate {

        /**
         * Constructs a new ConversationUpdate.
         * @param [properties] Properties to set
         */
        constructor(properties?: im.IConversationUpdate);

        /** ConversationUpdate conversationType. */
        public conversationType: number;

        /** ConversationUpdate targetId. */
        public targetId: string;

        /** ConversationUpdate readSeq. */
        public readSeq: number;

        /** ConversationUpdate removed. */
        public removed: boolean;

        /** ConversationUpdate time. */
        public time: number;

        /** ConversationUpdate peerReadSeq. */
        public peerReadSeq: number;

        /** ConversationUpdate peerDeliveredSeq. */
        public peerDeliveredSeq: number;

        /** ConversationUpdate memberReadUserId. */
        public memberReadUserId: string;

        /** ConversationUpdate memberReadSeq. */
        public memberReadSeq: number;

        /** ConversationUpdate memberDeliveredUserId. */
        public memberDeliveredUserId: string;

        /** ConversationUpdate memberDeliveredSeq. */
        public memberDeliveredSeq: number;

        /** ConversationUpdate settingsChanged. */
        public settingsChanged: boolean;

        /** ConversationUpdate isTop. */
        public isTop: boolean;

        /** ConversationUpdate muted. */
        public muted: boolean;

        /** ConversationUpdate clearedSeq. */
        public clearedSeq: number;

        /** ConversationUpdate deletedMessageUids. */
        public deletedMessageUids: string[];

        /**
         * Encodes the specified ConversationUpdate message. Does not implicitly {@link im.ConversationUpdate.verify|verify} messages.
         * @param message ConversationUpdate message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        public static encode(message: im.IConversationUpdate, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a ConversationUpdate message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns ConversationUpdate
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): im.ConversationUpdate;
    }

    /** Properties of a Publish. */
    interface IPublish {

        /** Publish requestId */
        requestId?: (number|null);

        /** Publish outgoing */
        outgoing?: (im.IOutgoing|null);

        /** Publish message */
        message?: (im.IMessage|null);

        /** Publish conversation */
        conversation?: (im.IConversationUpdate|null);
    }

    /** Represents a Publish. */
    class Publish implements IPublish {

        /**
         * Constructs a new Publish.
         * @param [properties] Properties to set
         */
        constructor(properties?: im.IPublish);

        /** Publish requestId. */
        public requestId: number;

        /** Publish outgoing. */
        public outgoing?: (im.IOutgoing|null);

        /** Publish message. */
        public message?: (im.IMessage|null);

        /** Publish conversation. */
        public conversation?: (im.IConversationUpdate|null);

        /** Publish payload. */
        public payload?: ("outgoing"|"message"|"conversation");

        /**
         * Encodes the specified Publish message. Does not implicitly {@link im.Publish.verify|verify} messages.
         * @param message Publish message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        public static encode(message: im.IPublish, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a Publish message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns Publish
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): im.Publish;
    }

    /** Properties of a PubAck. */
    interface IPubAck {

        /** PubAck requestId */
        requestId?: (number|null);

        /** PubAck code */
        code?: (number|null);

        /** PubAck messageUid */
        messageUid?: (string|null);

        /** PubAck clientMsgId */
        clientMsgId?: (string|null);

        /** PubAck sentTime */
        sentTime?: (number|null);

        /** PubAck seq */
        seq?: (number|null);

        /** PubAck cursor */
        cursor?: (number|null);

        /** PubAck reason */
        reason?: (string|null);
    }

    /** Represents a PubAck. */
    class PubAck implements IPubAck {

        /**
         * Constructs a new PubAck.
         * @param [properties] Properties to set
         */
        constructor(properties?: im.IPubAck);

        /** PubAck requestId. */
        public requestId: number;

        /** PubAck code. */
        public code: number;

        /** PubAck messageUid. */
        public messageUid: string;

        /** PubAck clientMsgId. */
        public clientMsgId: string;

        /** PubAck sentTime. */
        public sentTime: number;

        /** PubAck seq. */
        public seq: number;

        /** PubAck cursor. */
        public cursor: number;

        /** PubAck reason. */
        public reason: string;

        /**
         * Encodes the specified PubAck message. Does not implicitly {@link im.PubAck.verify|verify} messages.
         * @param message PubAck message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        public static encode(message: im.IPubAck, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a PubAck message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns PubAck
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): im.PubAck;
    }

    /** Properties of a Query. */
    interface IQuery {

        /** Query requestId */
        requestId?: (number|null);

        /** Query topic */
        topic?: (string|null);

        /** Query body */
        body?: (Uint8Array|null);
    }

    /** Represents a Query. */
    class Query implements IQuery {

        /**
         * Constructs a new Query.
         * @param [properties] Properties to set
         */
        constructor(properties?: im.IQuery);

        /** Query requestId. */
        public requestId: number;

        /** Query topic. */
        public topic: string;

        /** Query body. */
        public body: Uint8Array;

        /**
         * Encodes the specified Query message. Does not implicitly {@link im.Query.verify|verify} messages.
         * @param message Query message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        public static encode(message: im.IQuery, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a Query message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns Query
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): im.Query;
    }

    /** Properties of a QueryAck. */
    interface IQueryAck {

        /** QueryAck requestId */
        requestId?: (number|null);

        /** QueryAck code */
        code?: (number|null);

        /** QueryAck body */
        body?: (Uint8Array|null);

        /** QueryAck reason */
        reason?: (string|null);
    }

    /** Represents a QueryAck. */
    class QueryAck implements IQueryAck {

        /**
         * Constructs a new QueryAck.
         * @param [properties] Properties to set
         */
        constructor(properties?: im.IQueryAck);

        /** QueryAck requestId. */
        public requestId: number;

        /** QueryAck code. */
        public code: number;

        /** QueryAck body. */
        public body: Uint8Array;

        /** QueryAck reason. */
        public reason: string;

        /**
         * Encodes the specified QueryAck message. Does not implicitly {@link im.QueryAck.verify|verify} messages.
         * @param message QueryAck message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        public static encode(message: im.IQueryAck, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a QueryAck message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns QueryAck
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): im.QueryAck;
    }

    /** Properties of a QueryCon. */
    interface IQueryCon {

        /** QueryCon requestId */
        requestId?: (number|null);
    }

    /** Represents a QueryCon. */
    class QueryCon implements IQueryCon {

        /**
         * Constructs a new QueryCon.
         * @param [properties] Properties to set
         */
        constructor(properties?: im.IQueryCon);

        /** QueryCon requestId. */
        public requestId: number;

        /**
         * Encodes the specified QueryCon message. Does not implicitly {@link im.QueryCon.verify|verify} messages.
         * @param message QueryCon message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        public static encode(message: im.IQueryCon, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a QueryCon message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns QueryCon
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): im.QueryCon;
    }

    /** Properties of a Disconnect. */
    interface IDisconnect {

        /** Disconnect code */
        code?: (number|null);

        /** Disconnect reason */
        reason?: (string|null);
    }

    /** Represents a Disconnect. */
    class Disconnect implements IDisconnect {

        /**
         * Constructs a new Disconnect.
         * @param [properties] Properties to set
         */
        constructor(properties?: im.IDisconnect);

        /** Disconnect code. */
        public code: number;

        /** Disconnect reason. */
        public reason: string;

        /**
         * Encodes the specified Disconnect message. Does not implicitly {@link im.Disconnect.verify|verify} messages.
         * @param message Disconnect message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        public static encode(message: im.IDisconnect, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a Disconnect message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns Disconnect
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): im.Disconnect;
    }

    /** Properties of a SyncRequest. */
    interface ISyncRequest {

        /** SyncRequest cursor */
        cursor?: (number|null);

        /** SyncRequest limit */
        limit?: (number|null);
    }

    /** Represents a SyncRequest. */
    class SyncRequest implements ISyncRequest {

        /**
         * Constructs a new SyncRequest.
         * @param [properties] Properties to set
         */
        constructor(properties?: im.ISyncRequest);

        /** SyncRequest cursor. */
        public cursor: number;

        /** SyncRequest limit. */
        public limit: number;

        /**
         * Encodes the specified SyncRequest message. Does not implicitly {@link im.SyncRequest.verify|verify} messages.
         * @param message SyncRequest message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        public static encode(message: im.ISyncRequest, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a SyncRequest message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns SyncRequest
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): im.SyncRequest;
    }

    /** Properties of a SyncResponse. */
    interface ISyncResponse {

        /** SyncResponse messages */
        messages?: (im.IMessage[]|null);

        /** SyncResponse cursor */
        cursor?: (number|null);

        /** SyncResponse hasMore */
        hasMore?: (boolean|null);
    }

    /** Represents a SyncResponse. */
    class SyncResponse implements ISyncResponse {

        /**
         * Constructs a new SyncResponse.
         * @param [properties] Properties to set
         */
        constructor(properties?: im.ISyncResponse);

        /** SyncResponse messages. */
        public messages: im.IMessage[];

        /** SyncResponse cursor. */
        public cursor: number;

        /** SyncResponse hasMore. */
        public hasMore: boolean;

        /**
         * Encodes the specified SyncResponse message. Does not implicitly {@link im.SyncResponse.verify|verify} messages.
         * @param message SyncResponse message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        public static encode(message: im.ISyncResponse, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a SyncResponse message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns SyncResponse
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): im.SyncResponse;
    }

    /** Properties of a HistoryRequest. */
    interface IHistoryRequest {

        /** HistoryRequest conversationType */
        conversationType?: (number|null);

        /** HistoryRequest targetId */
        targetId?: (string|null);

        /** HistoryRequest before */
        before?: (number|null);

        /** HistoryRequest after */
        after?: (number|null);

        /** HistoryRequest count */
        count?: (number|null);
    }

    /** Represents a HistoryRequest. */
    class HistoryRequest implements IHistoryRequest {

        /**
         * Constructs a new HistoryRequest.
         * @param [properties] Properties to set
         */
        constructor(properties?: im.IHistoryRequest);

        /** HistoryRequest conversationType. */
        public conversationType: number;

        /** HistoryRequest targetId. */
        public targetId: string;

        /** HistoryRequest before. */
        public before: number;

        /** HistoryRequest after. */
        public after: number;

        /** HistoryRequest count. */
        public count: number;

        /**
         * Encodes the specified HistoryRequest message. Does not implicitly {@link im.HistoryRequest.verify|verify} messages.
         * @param message HistoryRequest message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        public static encode(message: im.IHistoryRequest, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a HistoryRequest message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns HistoryRequest
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): im.HistoryRequest;
    }

    /** Properties of a HistoryResponse. */
    interface IHistoryResponse {

        /** HistoryResponse messages */
        messages?: (im.IMessage[]|null);

        /** HistoryResponse hasMore */
        hasMore?: (boolean|null);
    }

    /** Represents a HistoryResponse. */
    class HistoryResponse implements IHistoryResponse {

        /**
         * Constructs a new HistoryResponse.
         * @param [properties] Properties to set
         */
        constructor(properties?: im.IHistoryResponse);

        /** HistoryResponse messages. */
        public messages: im.IMessage[];

        /** HistoryResponse hasMore. */
        public hasMore: boolean;

        /**
         * Encodes the specified HistoryResponse message. Does not implicitly {@link im.HistoryResponse.verify|verify} messages.
         * @param message HistoryResponse message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        public static encode(message: im.IHistoryResponse, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a HistoryResponse message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns HistoryResponse
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): im.HistoryResponse;
    }

    /** Properties of a ConversationListRequest. */
    interface IConversationListRequest {

        /** ConversationListRequest types */
        types?: (number[]|null);

        /** ConversationListRequest before */
        before?: (number|null);

        /** ConversationListRequest count */
        count?: (number|null);
    }

    /** Represents a ConversationListRequest. */
    class ConversationListRequest implements IConversationListRequest {

        /**
         * Constructs a new ConversationListRequest.
         * @param [properties] Properties to set
         */
        constructor(properties?: im.IConversationListRequest);

        /** ConversationListRequest types. */
        public types: number[];

        /** ConversationListRequest before. */
        public before: number;

        /** ConversationListRequest count. */
        public count: number;

        /**
         * Encodes the specified ConversationListRequest message. Does not implicitly {@link im.ConversationListRequest.verify|verify} messages.
         * @param message ConversationListRequest message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        public static encode(message: im.IConversationListRequest, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a ConversationListRequest message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns ConversationListRequest
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): im.ConversationListRequest;
    }

    /** Properties of a Conversation. */
    interface IConversation {

        /** Conversation conversationType */
        conversationType?: (number|null);

        /** Conversation targetId */
        targetId?: (string|null);

        /** Conversation unreadCount */
        unreadCount?: (number|null);

        /** Conversation latestMessage */
        latestMessage?: (im.IMessage|null);

        /** Conversation readSeq */
        readSeq?: (number|null);

        /** Conversation updatedTime */
        updatedTime?: (number|null);

        /** Conversation latestCursor */
        latestCursor?: (number|null);

        /** Conversation peerReadSeq */
        peerReadSeq?: (number|null);

        /** Conversation peerDeliveredSeq */
        peerDeliveredSeq?: (number|null);

        /** Conversation isTop */
        isTop?: (boolean|null);

        /** Conversation muted */
        muted?: (boolean|null);

        /** Conversation clearedSeq */
        clearedSeq?: (number|null);
    }

    /** Represents a Conversation. */
    class Conversation implements IConversation {

        /**
         * Constructs a new Conversation.
         * @param [properties] Properties to set
         */
        constructor(properties?: im.IConversation);

        /** Conversation conversationType. */
        public conversationType: number;

        /** Conversation targetId. */
        public targetId: string;

        /** Conversation unreadCount. */
        public unreadCount: number;

        /** Conversation latestMessage. */
        public latestMessage?: (im.IMessage|null);

        /** Conversation readSeq. */
        public readSeq: number;

        /** Conversation updatedTime. */
        public updatedTime: number;

        /** Conversation latestCursor. */
        public latestCursor: number;

        /** Conversation peerReadSeq. */
        public peerReadSeq: number;

        /** Conversation peerDeliveredSeq. */
        public peerDeliveredSeq: number;

        /** Conversation isTop. */
        public isTop: boolean;

        /** Conversation muted. */
        public muted: boolean;

        /** Conversation clearedSeq. */
        public clearedSeq: number;

        /**
         * Encodes the specified Conversation message. Does not implicitly {@link im.Conversation.verify|verify} messages.
         * @param message Conversation message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        public static encode(message: im.IConversation, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a Conversation message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns Conversation
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): im.Conversation;
    }

    /** Properties of a ConversationListResponse. */
    interface IConversationListResponse {

        /** ConversationListResponse conversations */
        conversations?: (im.IConversation[]|null);

        /** ConversationListResponse hasMore */
        hasMore?: (boolean|null);
    }

    /** Represents a ConversationListResponse. */
    class ConversationListResponse implements IConversationListResponse {

        /**
         * Constructs a new ConversationListResponse.
         * @param [properties] Properties to set
         */
        constructor(properties?: im.IConversationListResponse);

        /** ConversationListResponse conversations. */
        public conversations: im.IConversation[];

        /** ConversationListResponse hasMore. */
        public hasMore: boolean;

        /**
         * Encodes the specified ConversationListResponse message. Does not implicitly {@link im.ConversationListResponse.verify|verify} messages.
         * @param message ConversationListResponse message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        public static encode(message: im.IConversationListResponse, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a ConversationListResponse message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns ConversationListResponse
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): im.ConversationListResponse;
    }

    /** Properties of a ReadRequest. */
    interface IReadRequest {

        /** ReadRequest conversationType */
        conversationType?: (number|null);

        /** ReadRequest targetId */
        targetId?: (string|null);

        /** ReadRequest readSeq */
        readSeq?: (number|null);
    }

    /** Represents a ReadRequest. */
    class ReadRequest implements IReadRequest {

        /**
         * Constructs a new ReadRequest.
         * @param [properties] Properties to set
         */
        constructor(properties?: im.IReadRequest);

        /** ReadRequest conversationType. */
        public conversationType: number;

        /** ReadRequest targetId. */
        public targetId: string;

        /** ReadRequest readSeq. */
        public readSeq: number;

        /**
         * Encodes the specified ReadRequest message. Does not implicitly {@link im.ReadRequest.verify|verify} messages.
         * @param message ReadRequest message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        public static encode(message: im.IReadRequest, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a ReadRequest message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns ReadRequest
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): im.ReadRequest;
    }

    /** Properties of a RemoveConversationRequest. */
    interface IRemoveConversationRequest {

        /** RemoveConversationRequest conversationType */
        conversationType?: (number|null);

        /** RemoveConversationRequest targetId */
        targetId?: (string|null);
    }

    /** Represents a RemoveConversationRequest. */
    class RemoveConversationRequest implements IRemoveConversationRequest {

        /**
         * Constructs a new RemoveConversationRequest.
         * @param [properties] Properties to set
         */
        constructor(properties?: im.IRemoveConversationRequest);

        /** RemoveConversationRequest conversationType. */
        public conversationType: number;

        /** RemoveConversationRequest targetId. */
        public targetId: string;

        /**
         * Encodes the specified RemoveConversationRequest message. Does not implicitly {@link im.RemoveConversationRequest.verify|verify} messages.
         * @param message RemoveConversationRequest message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        public static encode(message: im.IRemoveConversationRequest, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a RemoveConversationRequest message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns RemoveConversationRequest
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): im.RemoveConversationRequest;
    }

    /** Properties of a ProfilesRequest. */
    interface IProfilesRequest {

        /** ProfilesRequest userIds */
        userIds?: (string[]|null);

        /** ProfilesRequest groupIds */
        groupIds?: (string[]|null);
    }

    /** Represents a ProfilesRequest. */
    class ProfilesRequest implements IProfilesRequest {

        /**
         * Constructs a new ProfilesRequest.
         * @param [properties] Properties to set
         */
        constructor(properties?: im.IProfilesRequest);

        /** ProfilesRequest userIds. */
        public userIds: string[];

        /** ProfilesRequest groupIds. */
        public groupIds: string[];

        /**
         * Encodes the specified ProfilesRequest message. Does not implicitly {@link im.ProfilesRequest.verify|verify} messages.
         * @param message ProfilesRequest message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        public static encode(message: im.IProfilesRequest, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a ProfilesRequest message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns ProfilesRequest
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): im.ProfilesRequest;
    }

    /** Properties of a UserProfile. */
    interface IUserProfile {

        /** UserProfile userId */
        userId?: (string|null);

        /** UserProfile name */
        name?: (string|null);

        /** UserProfile portraitUri */
        portraitUri?: (string|null);
    }

    /** Represents a UserProfile. */
    class UserProfile implements IUserProfile {

        /**
         * Constructs a new UserProfile.
         * @param [properties] Properties to set
         */
        constructor(properties?: im.IUserProfile);

        /** UserProfile userId. */
        public userId: string;

        /** UserProfile name. */
        public name: string;

        /** UserProfile portraitUri. */
        public portraitUri: string;

        /**
         * Encodes the specified UserProfile message. Does not implicitly {@link im.UserProfile.verify|verify} messages.
         * @param message UserProfile message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        public static encode(message: im.IUserProfile, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a UserProfile message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns UserProfile
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): im.UserProfile;
    }

    /** Properties of a GroupProfile. */
    interface IGroupProfile {

        /** GroupProfile groupId */
        groupId?: (string|null);

        /** GroupProfile name */
        name?: (string|null);

        /** GroupProfile memberIds */
        memberIds?: (string[]|null);
    }

    /** Represents a GroupProfile. */
    class GroupProfile implements IGroupProfile {

        /**
         * Constructs a new GroupProfile.
         * @param [properties] Properties to set
         */
        constructor(properties?: im.IGroupProfile);

        /** GroupProfile groupId. */
        public groupId: string;

        /** GroupProfile name. */
        public name: string;

        /** GroupProfile memberIds. */
        public memberIds: string[];

        /**
         * Encodes the specified GroupProfile message. Does not implicitly {@link im.GroupProfile.verify|verify} messages.
         * @param message GroupProfile message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        public static encode(message: im.IGroupProfile, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a GroupProfile message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns GroupProfile
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): im.GroupProfile;
    }

    /** Properties of a ProfilesResponse. */
    interface IProfilesResponse {

        /** ProfilesResponse users */
        users?: (im.IUserProfile[]|null);

        /** ProfilesResponse groups */
        groups?: (im.IGroupProfile[]|null);
    }

    /** Represents a ProfilesResponse. */
    class ProfilesResponse implements IProfilesResponse {

        /**
         * Constructs a new ProfilesResponse.
         * @param [properties] Properties to set
         */
        constructor(properties?: im.IProfilesResponse);

        /** ProfilesResponse users. */
        public users: im.IUserProfile[];

        /** ProfilesResponse groups. */
        public groups: im.IGroupProfile[];

        /**
         * Encodes the specified ProfilesResponse message. Does not implicitly {@link im.ProfilesResponse.verify|verify} messages.
         * @param message ProfilesResponse message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        public static encode(message: im.IProfilesResponse, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a ProfilesResponse message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns ProfilesResponse
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): im.ProfilesResponse;
    }

    /** Properties of a RecallRequest. */
    interface IRecallRequest {

        /** RecallRequest conversationType */
        conversationType?: (number|null);

        /** RecallRequest targetId */
        targetId?: (string|null);

        /** RecallRequest messageUid */
        messageUid?: (string|null);
    }

    /** Represents a RecallRequest. */
    class RecallRequest implements IRecallRequest {

        /**
         * Constructs a new RecallRequest.
         * @param [properties] Properties to set
         */
        constructor(properties?: im.IRecallRequest);

        /** RecallRequest conversationType. */
        public conversationType: number;

        /** RecallRequest targetId. */
        public targetId: string;

        /** RecallRequest messageUid. */
        public messageUid: string;

        /**
         * Encodes the specified RecallRequest message. Does not implicitly {@link im.RecallRequest.verify|verify} messages.
         * @param message RecallRequest message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        public static encode(message: im.IRecallRequest, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a RecallRequest message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns RecallRequest
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): im.RecallRequest;
    }

    /** Properties of a RecallResponse. */
    interface IRecallResponse {

        /** RecallResponse command */
        command?: (im.IMessage|null);
    }

    /** Represents a RecallResponse. */
    class RecallResponse implements IRecallResponse {

        /**
         * Constructs a new RecallResponse.
         * @param [properties] Properties to set
         */
        constructor(properties?: im.IRecallResponse);

        /** RecallResponse command. */
        public command?: (im.IMessage|null);

        /**
         * Encodes the specified RecallResponse message. Does not implicitly {@link im.RecallResponse.verify|verify} messages.
         * @param message RecallResponse message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        public static encode(message: im.IRecallResponse, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a RecallResponse message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns RecallResponse
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): im.RecallResponse;
    }

    /** Properties of a DeliveredRequest. */
    interface IDeliveredRequest {

        /** DeliveredRequest conversationType */
        conversationType?: (number|null);

        /** DeliveredRequest targetId */
        targetId?: (string|null);

        /** DeliveredRequest seq */
        seq?: (number|null);
    }

    /** Represents a DeliveredRequest. */
    class DeliveredRequest implements IDeliveredRequest {

        /**
         * Constructs a new DeliveredRequest.
         * @param [properties] Properties to set
         */
        constructor(properties?: im.IDeliveredRequest);

        /** DeliveredRequest conversationType. */
        public conversationType: number;

        /** DeliveredRequest targetId. */
        public targetId: string;

        /** DeliveredRequest seq. */
        public seq: number;

        /**
         * Encodes the specified DeliveredRequest message. Does not implicitly {@link im.DeliveredRequest.verify|verify} messages.
         * @param message DeliveredRequest message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        public static encode(message: im.IDeliveredRequest, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a DeliveredRequest message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns DeliveredRequest
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): im.DeliveredRequest;
    }

    /** Properties of a ReadersRequest. */
    interface IReadersRequest {

        /** ReadersRequest conversationType */
        conversationType?: (number|null);

        /** ReadersRequest targetId */
        targetId?: (string|null);

        /** ReadersRequest seq */
        seq?: (number|null);
    }

    /** Represents a ReadersRequest. */
    class ReadersRequest implements IReadersRequest {

        /**
         * Constructs a new ReadersRequest.
         * @param [properties] Properties to set
         */
        constructor(properties?: im.IReadersRequest);

        /** ReadersRequest conversationType. */
        public conversationType: number;

        /** ReadersRequest targetId. */
        public targetId: string;

        /** ReadersRequest seq. */
        public seq: number;

        /**
         * Encodes the specified ReadersRequest message. Does not implicitly {@link im.ReadersRequest.verify|verify} messages.
         * @param message ReadersRequest message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        public static encode(message: im.IReadersRequest, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a ReadersRequest message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns ReadersRequest
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): im.ReadersRequest;
    }

    /** Properties of a ReadersResponse. */
    interface IReadersResponse {

        /** ReadersResponse readUserIds */
        readUserIds?: (string[]|null);

        /** ReadersResponse unreadUserIds */
        unreadUserIds?: (string[]|null);

        /** ReadersResponse deliveredUserIds */
        deliveredUserIds?: (string[]|null);
    }

    /** Represents a ReadersResponse. */
    class ReadersResponse implements IReadersResponse {

        /**
         * Constructs a new ReadersResponse.
         * @param [properties] Properties to set
         */
        constructor(properties?: im.IReadersResponse);

        /** ReadersResponse readUserIds. */
        public readUserIds: string[];

        /** ReadersResponse unreadUserIds. */
        public unreadUserIds: string[];

        /** ReadersResponse deliveredUserIds. */
        public deliveredUserIds: string[];

        /**
         * Encodes the specified ReadersResponse message. Does not implicitly {@link im.ReadersResponse.verify|verify} messages.
         * @param message ReadersResponse message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        public static encode(message: im.IReadersResponse, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a ReadersResponse message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns ReadersResponse
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): im.ReadersResponse;
    }
}
