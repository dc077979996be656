with

successions as (

    select * from {{ ref('stg_reference__unit_successions') }}

),

final as (

    select
        predecessor_code,
        successor_code,
        effective_date
    from successions

)

select * from final
