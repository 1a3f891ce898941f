/**
 * The reviewed part of the regional vocabulary (`regional-vocabulary.ts`): what OpenCC's phrase
 * tables lack (names and transliterations that differ between mainland, Hong Kong and Taiwan
 * news), what they hold but must not be used (words whose regional "equivalent" is an everyday
 * word with another meaning), and phrases that must never be read as containing a variant.
 *
 * Everything is written in Simplified characters as `normaliseForMatch` leaves it: 川普 stands for
 * 川普 and 川普 alike, 计程车 for 計程車. Edit with care: every group widens every search and
 * filter that uses one of its words, and test/fixtures/regional-pairs.json must still pass.
 */

/**
 * Groups of words that name the same thing in different regions. Each group is merged with
 * the OpenCC groups that share a word.
 */
export const ALIAS_GROUPS: readonly (readonly string[])[] = [
  // Politicians, in the mainland / Hong Kong / Taiwan spellings.
  ['特朗普', '川普'],
  ['布什', '布希', '布殊'],
  ['普京', '普丁', '普亭'],
  ['内塔尼亚胡', '纳坦雅胡', '尼坦雅胡'],
  ['泽连斯基', '泽伦斯基'],
  ['马克龙', '马克宏'],
  ['默克尔', '梅克尔'],
  ['贺锦丽', '哈里斯'],
  ['特鲁多', '杜鲁多', '杜鲁道'],
  ['斯塔默', '施纪贤', '施凯尔'],
  ['阿尔巴尼斯', '艾班尼斯'],
  ['埃尔多安', '艾尔多安', '艾尔段'],
  ['蓬佩奥', '庞培欧'],
  ['奥巴马', '欧巴马'],
  ['扎克伯格', '祖克柏'],
  ['贝索斯', '贝佐斯'],
  // Places.
  ['悉尼', '雪梨'],
  ['新西兰', '纽西兰'],
  ['朝鲜', '北韩'],
  ['韩国', '南韩'],
  ['澳大利亚', '澳洲'],
  ['意大利', '义大利'],
  ['沙特', '沙乌地'],
  ['索马里', '索马利亚'],
  ['硅谷', '矽谷'],
  // Things in the news.
  ['出租车', '的士', '计程车'],
  ['地铁', '捷运'],
  ['导弹', '飞弹'],
  ['人工智能', '人工智慧'],
  ['核电站', '核电厂'],
  ['云计算', '云端运算'],
  ['自行车', '脚踏车'],
  ['哈马斯', '哈玛斯'],
];

/**
 * Phrases that hold a word only by accident of their characters: neither the word as typed nor a
 * variant put in for it counts inside them. `四川` (so 四川普通话 is not 川普), `的士兵` (the
 * soldiers, not a taxi). OpenCC's identity entries (軟體動物, a mollusc, not software) count the
 * same way.
 */
export const PROTECTED_PHRASES: readonly string[] = [
  '四川',
  '的士兵',
  '的士气',
  '的士官',
  '的士族',
  // Disco in Hong Kong; Chartres; Baudrillard.
  '的士高',
  '沙特尔',
  '布希亚',
];

/**
 * Phrases where the word as typed still counts (a search for 雪梨 may well want pear juice, one
 * for 朝鲜 the Korean peninsula) but a variant put in for another word does not: 悉尼 must not
 * find 雪梨汁, 北韩 not 朝鲜族, 澳大利亚 not 澳洲坚果.
 */
export const VARIANT_GUARDS: readonly string[] = [
  '雪梨汁',
  '雪梨膏',
  '冰糖雪梨',
  '炖雪梨',
  '朝鲜族',
  '朝鲜半岛',
  '南朝鲜',
  '澳洲坚果',
  '比特币',
  '哈里斯堡',
];

/**
 * OpenCC pairs left out (Simplified, mainland word first): in news the "regional" word is an
 * everyday word of its own almost everywhere (发布 / 释出, 支持 / 支援, 视频 / 影片, 数据 / 资料,
 * 程序 / 程式 / 进程, 文件 / 档案), so using them would flood results with other stories.
 */
export const EXCLUDED_OPENCC_PAIRS: readonly string[] = [
  '交互=互动',
  '仿真=模拟',
  '低级=低阶',
  '信道=通道',
  '保存=储存',
  '内核=核心',
  '全局=全域性',
  '分区=分割槽',
  '创建=建立',
  '刷新=重新整理',
  '剪切=剪下',
  '参数=引数',
  '发布=释出',
  '发送=传送',
  '呼出=拨出',
  '回调=回拨',
  '图像=影像',
  '图库=相簿',
  '在线=线上',
  '塑料=塑胶',
  '存储=储存',
  '实例=例项',
  '实时=即时',
  '审核=稽核',
  '对象=物件',
  '导入=汇入',
  '导出=汇出',
  '局部=区域性',
  '屏蔽=遮蔽',
  '录像=录影',
  '循环=回圈',
  '性能=效能',
  '截取=撷取',
  '打开=开启',
  '批量=批次',
  '抛出=丢掷',
  '拷贝=复制',
  '指针=指标',
  '接口=介面',
  '插件=外挂',
  '扩展=扩充套件',
  '支持=支援',
  '数据=资料',
  '文件=档案',
  '文档=文件',
  '智能=智慧',
  '权限=许可权',
  '查找=查询',
  '查看=检视',
  '比特=位元',
  '死机=宕机',
  '消息=讯息',
  '添加=新增',
  '溢出=溢位',
  '激活=启用',
  '用户=使用者',
  '登录=登入',
  '矢量=向量',
  '社区=社群',
  '禁用=停用',
  '程序=程式',
  '进程=程序',
  '组件=元件',
  '绑定=系结',
  '联系=联络',
  '脱机=离线',
  '万象=永珍',
  '菜单=选单',
  '视图=检视',
  '视频=影片',
  '触摸=触控',
  '设备=装置',
  '设置=设定',
  '注销=登出',
  '调度=排程',
  '调用=呼叫',
  '变量=变数',
  '声明=宣告',
  '远程=远端',
  '运行=执行',
  '通信=通讯',
  '连接=连线',
  '重装=重灌',
  '重载=过载',
  '链接=连结',
  '集成=整合',
  '音频=音讯',
  '项目=专案',
  '类型=型别',
  '高端=高阶',
  '高级=高阶',
  '点击=点选',
];
