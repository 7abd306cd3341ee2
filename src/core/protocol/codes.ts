/**
 * Numeric tables of the wire protocol. Every value keeps the seed SDK's number so that code
 * written against the seed's constants reads the same here.
 */

/** Frame types: the high nibble of a frame's header byte. */
export const FrameType = {
  CONNECT: 1,
  CONNACK: 2,
  PUBLISH: 3,
  PUBACK: 4,
  QUERY: 5,
  QUERYACK: 6,
  QUERYCON: 7,
  SUBSCRIBE: 8,
  SUBACK: 9,
  UNSUBSCRIBE: 10,
  UNSUBACK: 11,
  PINGREQ: 12,
  PINGRESP: 13,
  DISCONNECT: 14,
} as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

/** Delivery guarantee requested by a frame (header bits 1–2). */
export const QoS = {
  AT_MOST_ONCE: 0,
  AT_LEAST_ONCE: 1,
  EXACTLY_ONCE: 2,
  DEFAULT: 3,
} as const;
export type QoS = (typeof QoS)[keyof typeof QoS];

export const ConversationType = {
  PRIVATE: 1,
  DISCUSSION: 2,
  GROUP: 3,
  CHATROOM: 4,
  CUSTOMER_SERVICE: 5,
  SYSTEM: 6,
  APP_PUBLIC_SERVICE: 7,
  PUBLIC_SERVICE: 8,
} as const;
export type ConversationType = (typeof ConversationType)[keyof typeof ConversationType];

/** The seed's ConversationNotificationStatus: a conversation set do-not-disturb, or notifying (the default). */
export const NotificationStatus = {
  DO_NOT_DISTURB: 0,
  NOTIFY: 1,
} as const;
export type NotificationStatus = (typeof NotificationStatus)[keyof typeof NotificationStatus];

export const ConnectionStatus = {
  CONNECTED: 0,
  CONNECTING: 1,
  DISCONNECTED: 2,
  NETWORK_UNAVAILABLE: 3,
  CONNECTION_CLOSED: 4,
  KICKED_OFFLINE_BY_OTHER_CLIENT: 6,
  WEBSOCKET_UNAVAILABLE: 7,
  WEBSOCKET_ERROR: 8,
  DOMAIN_INCORRECT: 12,
  APPKEY_IS_FAKE: 20,
  REQUEST_NAVI: 201,
  RESPONSE_NAVI: 202,
  RESPONSE_NAVI_ERROR: 203,
  RESPONSE_NAVI_TIMEOUT: 204,
  ULTRALIMIT: 1101,
} as const;
export type ConnectionStatus = (typeof ConnectionStatus)[keyof typeof ConnectionStatus];

/**
 * Error codes: the seed's full table (some values appear twice there, under two names; both
 * names are kept), plus RC_CONN_TOKEN_EXPIRE, which the seed's table lacks and its later SDKs
 * use for an expired token.
 */
export const ErrorCode = {
  /** 超时 */
  TIMEOUT: -1,
  /** 未知 */
  UNKNOWN: -2,
  /** 参数错误 */
  PARAMETER_ERROR: -3,
  /** 消息撤回 */
  RECALL_MESSAGE: 25101,
  /** 发送频率过快 */
  SEND_FREQUENCY_TOO_FAST: 20604,
  /** 未经授权 */
  RC_MSG_UNAUTHORIZED: 20406,
  /** 群组 Id 无效 */
  RC_DISCUSSION_GROUP_ID_INVALID: 20407,
  /** 群组被禁言 */
  FORBIDDEN_IN_GROUP: 22408,
  /** 不在讨论组 */
  NOT_IN_DISCUSSION: 21406,
  /** 不在群组 */
  NOT_IN_GROUP: 22406,
  /** 不在聊天室 */
  NOT_IN_CHATROOM: 23406,
  /** 聊天室被禁言 */
  FORBIDDEN_IN_CHATROOM: 23408,
  /** 聊天室中成员被踢出 */
  RC_CHATROOM_USER_KICKED: 23409,
  /** 聊天室不存在 */
  RC_CHATROOM_NOT_EXIST: 23410,
  /** 聊天室人数已满 */
  RC_CHATROOM_IS_FULL: 23411,
  /** 聊天室参数无效 */
  RC_CHATROOM_PATAMETER_INVALID: 23412,
  /** 聊天室异常 */
  CHATROOM_GET_HISTORYMSG_ERROR: 23413,
  /** 聊天室未开启历史消息存储 */
  CHATROOM_NOT_OPEN_HISTORYMSG_STORE: 23414,
  /** 聊天室 KV 设置超限 */
  CHATROOM_KV_EXCEED: 23423,
  /** 聊天室 KV 设置失败 (kv 已存在, 需覆盖设置) */
  CHATROOM_KV_OVERWRITE_INVALID: 23424,
  /** 聊天室 KV 存储未开通 */
  CHATROOM_KV_STORE_NOT_OPEN: 23426,
  /** 聊天室 Key 不存在 */
  CHATROOM_KEY_NOT_EXIST: 23427,
  /** 敏感词屏蔽 */
  SENSITIVE_SHIELD: 21501,
  /** 敏感词替换 */
  SENSITIVE_REPLACE: 21502,
  /** 加入讨论组失败 */
  JOIN_IN_DISCUSSION: 21407,
  /** 创建讨论组失败 */
  CREATE_DISCUSSION: 21408,
  /** 设置讨论组邀请状态失败 */
  INVITE_DICUSSION: 21409,
  /** 获取用户信息失败 */
  GET_USERINFO_ERROR: 23407,
  /** 在黑名单中 */
  REJECTED_BY_BLACKLIST: 405,
  /** 通信过程中,当前 Socket 不存在 */
  RC_NET_CHANNEL_INVALID: 30001,
  /** Socket 连接不可用 */
  RC_NET_UNAVAILABLE: 30002,
  /** 通信超时 */
  RC_MSG_RESP_TIMEOUT: 30003,
  /** 导航操作时,HTTP 请求失败 */
  RC_HTTP_SEND_FAIL: 30004,
  /** HTTP 请求失败 */
  RC_HTTP_REQ_TIMEOUT: 30005,
  /** HTTP 接收失败 */
  RC_HTTP_RECV_FAIL: 30006,
  /** 导航操作的 HTTP 请求,返回不是 200 */
  RC_NAVI_RESOURCE_ERROR: 30007,
  /** 导航数据解析后,其中不存在有效数据 */
  RC_NODE_NOT_FOUND: 30008,
  /** 导航数据解析后,其中不存在有效 IP 地址 */
  RC_DOMAIN_NOT_RESOLVE: 30009,
  /** 创建 Socket 失败 */
  RC_SOCKET_NOT_CREATED: 30010,
  /** Socket 被断开 */
  RC_SOCKET_DISCONNECTED: 30011,
  /** PING 失败 */
  RC_PING_SEND_FAIL: 30012,
  /** PONG 超时 */
  RC_PONG_RECV_FAIL: 30013,
  /** 消息发送失败 */
  RC_MSG_SEND_FAIL: 30014,
  /** 做 connect 连接时,收到的 ACK 超时 */
  RC_CONN_ACK_TIMEOUT: 31000,
  /** 参数错误 */
  RC_CONN_PROTO_VERSION_ERROR: 31001,
  /** 参数错误,App Id 错误 */
  RC_CONN_ID_REJECT: 31002,
  /** 服务器不可用 */
  RC_CONN_SERVER_UNAVAILABLE: 31003,
  /** token 错误 */
  RC_CONN_USER_OR_PASSWD_ERROR: 31004,
  /** appId 与 token 不匹配 */
  RC_CONN_NOT_AUTHRORIZED: 31005,
  /** 重定向,地址错误 */
  RC_CONN_REDIRECTED: 31006,
  /** NAME 与后台注册信息不一致 */
  RC_CONN_PACKAGE_NAME_INVALID: 31007,
  /** 应用被删除或不存在 */
  RC_CONN_APP_BLOCKED_OR_DELETED: 31008,
  /** 用户被封禁 */
  RC_CONN_USER_BLOCKED: 31009,
  /** 异常断开,由服务器返回,比如用户互踢 */
  RC_DISCONN_KICK: 31010,
  /** 异常断开,服务器内部异常 */
  RC_DISCONN_EXCEPTION: 31011,
  /**
   * 协议层内部错误,query,上传下载过程中数据错误. Here: a query's answer does not fit in one frame
   * (MAX_FRAME_BYTES); ask for less (the client does so itself for pages and profiles).
   */
  RC_QUERY_ACK_NO_DATA: 32001,
  /** 协议层内部错误 */
  RC_MSG_DATA_INCOMPLETE: 32002,
  /** 客户端未初始化 */
  BIZ_ERROR_CLIENT_NOT_INIT: 33001,
  /** 数据库初始化失败 */
  BIZ_ERROR_DATABASE_ERROR: 33002,
  /** 参数无效 */
  BIZ_ERROR_INVALID_PARAMETER: 33003,
  /** 网络通道无效 */
  BIZ_ERROR_NO_CHANNEL: 33004,
  /** 重新连接成功 */
  BIZ_ERROR_RECONNECT_SUCCESS: 33005,
  /** 连接中,再调用 connect 被拒绝 */
  BIZ_ERROR_CONNECTING: 33006,
  /** 消息插入失败 */
  MSG_INSERT_ERROR: 33008,
  /** 消息删除失败 */
  MSG_DEL_ERROR: 33009,
  /** 删除会话失败 */
  CONVER_REMOVE_ERROR: 34001,
  /** 获取历史消息失败 */
  CONVER_GETLIST_ERROR: 34002,
  /** 会话置顶异常 */
  CONVER_SETOP_ERROR: 34003,
  /** 获取会话未读消息总数失败 */
  CONVER_TOTAL_UNREAD_ERROR: 34004,
  /** 获取指定会话类型未读消息数异常 */
  CONVER_TYPE_UNREAD_ERROR: 34005,
  /** 获取指定用户 ID & 会话类型未读消息数异常 */
  CONVER_ID_TYPE_UNREAD_ERROR: 34006,
  /** 清除会话失败 */
  CONVER_CLEAR_ERROR: 34007,
  /** 清除历史消息失败 */
  CLEAR_HIS_ERROR: 34010,
  /** 清除指定会话类型历史消息失败 */
  CLEAR_HIS_TYPE_ERROR: 34008,
  /** 清除指定时间段历史消息失败 */
  CLEAR_HIS_TIME_ERROR: 34011,
  /** 获取会话失败 */
  CONVER_GET_ERROR: 34009,
  /** 群组异常 */
  GROUP_SYNC_ERROR: 35001,
  /** 匹配群信息异常 */
  GROUP_MATCH_ERROR: 35002,
  /** 聊天室 ID 为空 */
  CHATROOM_ID_ISNULL: 36001,
  /** 聊天室加入失败 */
  CHARTOOM_JOIN_ERROR: 36002,
  /** 获取聊天室历史消息失败 */
  CHATROOM_HISMESSAGE_ERROR: 36003,
  /** 聊天室 kv 没有找到 */
  CHATROOM_KV_NOT_FOUND: 36004,
  /** 添加黑名单失败 */
  BLACK_ADD_ERROR: 37001,
  /** 获得指定人员在黑名单中的状态异常 */
  BLACK_GETSTATUS_ERROR: 37002,
  /** 删除黑名单失败 */
  BLACK_REMOVE_ERROR: 37003,
  /** 获取草稿失败 */
  DRAF_GET_ERROR: 38001,
  /** 保存草稿失败 */
  DRAF_SAVE_ERROR: 38002,
  /** 删除草稿失败 */
  DRAF_REMOVE_ERROR: 38003,
  /** 关注公众号失败 */
  SUBSCRIBE_ERROR: 39001,
  /** cookie 被禁用 */
  COOKIE_ENABLE: 51001,
  /** 根据消息 ID 获取消息失败 */
  GET_MESSAGE_BY_ID_ERROR: 61001,
  /** 用户没有登陆 */
  HAVNODEVICEID: 24001,
  /** 用户已经存在 */
  DEVICEIDISHAVE: 24002,
  /** 成功 */
  SUCCESS: 0,
  /** 没有对应的用户或 token */
  FEILD: 24009,
  /** 通道名称为空 */
  NULLCHANNELNAME: 24011,
  /** 服务器内部错误 */
  INTERNALERRROR: 24015,
  /** 在服务开启之前调用关闭操作 */
  CLOSE_BEFORE_OPEN: 51001,
  /** 已经被使用 */
  ALREADY_IN_USE: 51002,
  /** 通道名称无效 */
  INVALID_CHANNEL_NAME: 51003,
  /** 删除消息数组长度为 0 */
  DELETE_MESSAGE_ID_IS_NULL: 61001,
  /** 对方不支持当前引擎 */
  REMOTE_ENGINE_UN_SUPPORTED: 16,
  /** 对方网络错误 */
  REMOTE_NETWORK_ERROR: 17,
  /** token 已过期 (not in the seed's table; the value of the seed vendor's later SDKs) */
  RC_CONN_TOKEN_EXPIRE: 31020,
  /** Customer service (not in the seed's table; a free 29xxx range): no session to act on. */
  CS_SESSION_NOT_FOUND: 29404,
  /** Customer service: the session was rated already (one rating per session). */
  CS_ALREADY_EVALUATED: 29409,
  /** Customer service: the agent a session is transferred to has no free slot. */
  CS_AGENT_FULL: 29411,
  /** Customer service: a new session with a human outside the group's business hours (leave a ticket instead). */
  CS_OUTSIDE_HOURS: 29423,
  /** Customer service: no such ticket in the agent's groups. */
  CS_TICKET_NOT_FOUND: 29405,
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The name of a code, for messages and logs ("NOT_IN_GROUP"); the first name for shared values. */
export function errorCodeName(code: number): string {
  for (const [name, value] of Object.entries(ErrorCode)) if (value === code) return name;
  return `UNKNOWN_CODE_${code}`;
}
